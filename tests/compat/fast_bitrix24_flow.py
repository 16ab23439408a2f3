"""The telephony flow through fast_bitrix24, which wraps calls in `batch`.
Env: WEBHOOK, RECORD. Prints {"call_id", "file_id", "transcript_id"}."""
import base64
import json
import os
import sys

from fast_bitrix24 import Bitrix

b = Bitrix(os.environ["WEBHOOK"], verbose=False)


def call(method, params):
    """b.call() sends a batch; one item's result comes keyed by its order id."""
    result = b.call(method, params)
    if isinstance(result, dict) and list(result) == ["order0000000000"]:
        result = result["order0000000000"]
    return result


registered = call("telephony.externalCall.register",
                  {"USER_ID": 1, "PHONE_NUMBER": "+4930123456", "TYPE": 2})
call_id = registered["CALL_ID"]
call("telephony.externalCall.finish", {"CALL_ID": call_id, "USER_ID": 1, "DURATION": 42})
with open(os.environ["RECORD"], "rb") as f:
    content = base64.b64encode(f.read()).decode()
attached = call("telephony.externalCall.attachRecord",
                  {"CALL_ID": call_id, "FILENAME": "fast.mp3", "FILE_CONTENT": content})
transcript = call("telephony.call.attachTranscription", {
    "CALL_ID": call_id,
    "MESSAGES": [
        {"SIDE": "User", "START_TIME": 0, "STOP_TIME": 2, "MESSAGE": "Good afternoon"},
        {"SIDE": "Client", "START_TIME": 2, "STOP_TIME": 5, "MESSAGE": "Hello + welcome & co"},
    ],
})
rows = b.get_all("voximplant.statistic.get", {"FILTER": {"CALL_ID": call_id}})
if len(rows) != 1:
    sys.exit(f"statistic.get gave {rows!r}")


def only(result, key):
    """fast_bitrix24 unwraps a result of one key to its value."""
    return result[key] if isinstance(result, dict) else result


print(json.dumps({"call_id": call_id, "file_id": only(attached, "FILE_ID"),
                  "transcript_id": only(transcript, "TRANSCRIPT_ID")}))
