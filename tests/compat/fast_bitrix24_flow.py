"""The telephony flow through fast_bitrix24, which wraps calls in `batch`.
Env: MODE (webhook or oauth), WEBHOOK, RECORD; for oauth PORTAL, REFRESH_TOKEN,
CLIENT_ID, CLIENT_SECRET. Prints {"call_id", "file_id", "transcript_id"}."""
import base64
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request

from fast_bitrix24 import Bitrix

if os.environ.get("MODE") == "oauth":
    refresh = {"token": os.environ["REFRESH_TOKEN"]}

    async def token_func():
        """fast_bitrix24 asks for a token first and again on a 401: a refresh each time."""
        form = urllib.parse.urlencode({
            "grant_type": "refresh_token", "client_id": os.environ["CLIENT_ID"],
            "client_secret": os.environ["CLIENT_SECRET"], "refresh_token": refresh["token"],
        }).encode()
        context = ssl.create_default_context(cafile=os.environ["CA_FILE"])
        with urllib.request.urlopen(os.environ["PORTAL"] + "/oauth/token/", form,
                                    context=context) as answer:
            pair = json.load(answer)
        refresh["token"] = pair["refresh_token"]
        return pair["access_token"]

    b = Bitrix(os.environ["PORTAL"] + "/rest/", token_func=token_func, verbose=False)
else:
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
