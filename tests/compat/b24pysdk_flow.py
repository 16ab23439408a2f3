"""The telephony flow through the official Python SDK (b24pysdk).
Env: MODE (webhook or oauth), WEBHOOK (https://HOST/rest/1/CODE/), RECORD; for oauth
PORTAL, REFRESH_TOKEN, CLIENT_ID, CLIENT_SECRET. Prints {"call_id", "file_id", "transcript_id"}."""
import base64
import json
import os
import sys
from urllib.parse import urlsplit

from b24pysdk import BitrixApp, BitrixToken, BitrixWebhook

url = urlsplit(os.environ["WEBHOOK"])
if os.environ.get("MODE") == "oauth":
    # The SDK's token server is fixed to oauth.bitrix24.tech; an integration tested
    # offline points it at the sandbox's /oauth/token/.
    from b24pysdk.api.requesters.bitrix_oauth_requester import BitrixOAuthRequester
    BitrixOAuthRequester._OAUTH_TOKEN_URL = os.environ["PORTAL"] + "/oauth/token/"
    app = BitrixApp(client_id=os.environ["CLIENT_ID"], client_secret=os.environ["CLIENT_SECRET"])
    hook = BitrixToken(domain=url.netloc, auth_token="not-issued-yet",
                       refresh_token=os.environ["REFRESH_TOKEN"], bitrix_app=app)
    # A rotated pair, as an app gets it after its first token expired.
    hook.refresh_and_set_oauth_token()
    if hook.auth_token == "not-issued-yet":
        sys.exit("the refresh did not set a new access token")
else:
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
