"""The telephony flow through the official Python SDK (b24pysdk), webhook auth.
Env: WEBHOOK (https://HOST/rest/1/CODE/), RECORD. Prints {"call_id", "file_id", "transcript_id"}."""
import base64
import json
import os
import sys
from urllib.parse import urlsplit

from b24pysdk import BitrixWebhook

url = urlsplit(os.environ["WEBHOOK"])
token = url.path.strip("/").split("/", 1)[1]  # "rest/1/CODE" -> "1/CODE"
hook = BitrixWebhook(domain=url.netloc, webhook_token=token)


def call(method, params):
    answer = hook.call_method(method, params)
    if "result" not in answer:
        sys.exit(f"{method}: {answer!r}")
    return answer


call_id = call("telephony.externalCall.register",
               {"USER_ID": 1, "PHONE_NUMBER": "+4930123456", "TYPE": 2})["result"]["CALL_ID"]
call("telephony.externalCall.finish", {"CALL_ID": call_id, "USER_ID": 1, "DURATION": 42})
with open(os.environ["RECORD"], "rb") as f:
    content = base64.b64encode(f.read()).decode()
attached = call("telephony.externalCall.attachRecord",
                {"CALL_ID": call_id, "FILENAME": "pysdk.mp3", "FILE_CONTENT": content})["result"]
transcript = call("telephony.call.attachTranscription", {
    "CALL_ID": call_id,
    "MESSAGES": [
        {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 2, "MESSAGE": "Good afternoon"},
        {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 5, "MESSAGE": "Hello + welcome & co"},
    ],
})["result"]
rows = call("voximplant.statistic.get", {"FILTER": {"CALL_ID": call_id}})
if rows.get("total") != 1:
    sys.exit(f"statistic.get gave {rows!r}")
print(json.dumps({"call_id": call_id, "file_id": attached["FILE_ID"],
                  "transcript_id": transcript["TRANSCRIPT_ID"]}))
