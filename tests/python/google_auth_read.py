"""Reads a range of the Sheets API emulator with Google's own auth library, unpatched.

Usage: google_auth_read.py <service account key file> <API base URL> <spreadsheet id> <range>

google-auth signs the service account's JWT for Google's token endpoint
(https://oauth2.googleapis.com/token) and posts it to the key file's token_uri (the
emulator's). Prints {"status", "body"} of the values.get answer as JSON.
"""

import json
import sys
import urllib.parse

import google.auth.transport.requests
from google.oauth2 import service_account

key_path, base, spreadsheet, cell_range = sys.argv[1:5]
credentials = service_account.Credentials.from_service_account_file(
    key_path, scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"]
)
session = google.auth.transport.requests.AuthorizedSession(credentials)
answer = session.get(
    f"{base}/v4/spreadsheets/{spreadsheet}/values/{urllib.parse.quote(cell_range)}"
)
print(json.dumps({"status": answer.status_code, "body": answer.json()}))
