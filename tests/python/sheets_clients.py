"""Drives the Sheets API emulator with Google's own Python clients, unpatched: a realistic
read / append / update / format session, as someone would write it against Google.

Usage: sheets_clients.py (gspread|api-client) <service account key file> <emulator base URL>
                         <spreadsheet id>

The spreadsheet has a sheet "Responses" with a header row (Timestamp, Email, Score) and
two responses. Both clients authenticate through the service-account flow (google-auth
signs a JWT for Google's token endpoint and posts it to the key file's token_uri, the
emulator's). Prints one JSON object of what the session saw, for the test to check.
"""

import json
import sys

from google.oauth2 import service_account

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]


def with_gspread(key_path, base, spreadsheet_id):
    import gspread
    import gspread.http_client as http_client

    # gspread has no endpoint option: its URLs are module constants, pointed here at the
    # emulator (what a user does to test offline).
    api = base + "/v4/spreadsheets"
    http_client.SPREADSHEET_URL = api + "/%s"
    http_client.SPREADSHEET_BATCH_UPDATE_URL = api + "/%s:batchUpdate"
    http_client.SPREADSHEET_VALUES_URL = api + "/%s/values/%s"
    http_client.SPREADSHEET_VALUES_BATCH_URL = api + "/%s/values:batchGet"
    http_client.SPREADSHEET_VALUES_BATCH_UPDATE_URL = api + "/%s/values:batchUpdate"
    http_client.SPREADSHEET_VALUES_BATCH_CLEAR_URL = api + "/%s/values:batchClear"
    http_client.SPREADSHEET_VALUES_APPEND_URL = api + "/%s/values/%s:append"
    http_client.SPREADSHEET_VALUES_CLEAR_URL = api + "/%s/values/%s:clear"
    http_client.SPREADSHEET_SHEETS_COPY_TO_URL = api + "/%s/sheets/%s:copyTo"

    client = gspread.service_account(filename=key_path, scopes=SCOPES)
    spreadsheet = client.open_by_key(spreadsheet_id)
    sheet = spreadsheet.worksheet("Responses")
    seen = {"title": spreadsheet.title, "records": sheet.get_all_records()}
    sheet.append_row(
        ["4/7/2025 10:00:00", "cy@example.com", 9], value_input_option="USER_ENTERED"
    )
    seen["appended_row"] = sheet.row_values(4)
    sheet.update_acell("D1", "Total")
    sheet.update_acell("D2", "=SUM(C2:C4)")
    seen["total"] = sheet.acell("D2").value
    seen["total_formula"] = sheet.acell("D2", value_render_option="FORMULA").value
    sheet.format("A1:D1", {"textFormat": {"bold": True}})
    sheet.freeze(rows=1)
    sheet.resize(rows=200)
    found = sheet.find("cy@example.com")
    seen["found"] = [found.row, found.col] if found else None
    sheet.batch_update([{"range": "E1:E2", "values": [["Note"], ["checked"]]}])
    sheet.insert_row(["4/8/2025 11:00:00", "dee@example.com", 4], index=5)
    sheet.delete_rows(5)
    seen["scores"] = sheet.col_values(3)
    refreshed = spreadsheet.worksheet("Responses")
    seen["frozen_rows"] = refreshed.frozen_row_count
    seen["row_count"] = refreshed.row_count
    seen["values"] = sheet.get_all_values()
    copy = sheet.duplicate(new_sheet_name="Backup")
    seen["backup_a1"] = copy.acell("A1").value
    spreadsheet.del_worksheet(copy)
    seen["sheets"] = [worksheet.title for worksheet in spreadsheet.worksheets()]
    return seen


def with_api_client(key_path, base, spreadsheet_id):
    from googleapiclient.discovery import build

    credentials = service_account.Credentials.from_service_account_file(
        key_path, scopes=SCOPES
    )
    service = build(
        "sheets", "v4", credentials=credentials, client_options={"api_endpoint": base}
    )
    spreadsheets = service.spreadsheets()
    values = spreadsheets.values()
    metadata = spreadsheets.get(
        spreadsheetId=spreadsheet_id, fields="properties.title,sheets.properties"
    ).execute()
    sheet_id = metadata["sheets"][0]["properties"]["sheetId"]
    seen = {
        "title": metadata["properties"]["title"],
        "sheet_titles": [sheet["properties"]["title"] for sheet in metadata["sheets"]],
    }
    seen["read"] = values.get(spreadsheetId=spreadsheet_id, range="Responses").execute()
    appended = values.append(
        spreadsheetId=spreadsheet_id,
        range="Responses!A1",
        valueInputOption="USER_ENTERED",
        insertDataOption="INSERT_ROWS",
        includeValuesInResponse=True,
        body={"values": [["4/7/2025 10:00:00", "cy@example.com", "9"]]},
    ).execute()
    seen["appended"] = appended["updates"]
    values.update(
        spreadsheetId=spreadsheet_id,
        range="Responses!D1:D2",
        valueInputOption="USER_ENTERED",
        body={"values": [["Total"], ["=SUM(C2:C4)"]]},
    ).execute()
    spreadsheets.batchUpdate(
        spreadsheetId=spreadsheet_id,
        body={
            "requests": [
                {
                    "repeatCell": {
                        "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
                {
                    "addNamedRange": {
                        "namedRange": {
                            "name": "scores",
                            "range": {
                                "sheetId": sheet_id,
                                "startRowIndex": 1,
                                "endRowIndex": 4,
                                "startColumnIndex": 2,
                                "endColumnIndex": 3,
                            },
                        }
                    }
                },
            ]
        },
    ).execute()
    seen["batch_get"] = values.batchGet(
        spreadsheetId=spreadsheet_id,
        ranges=["Responses!D2", "scores"],
        valueRenderOption="UNFORMATTED_VALUE",
    ).execute()["valueRanges"]
    seen["by_filter"] = values.batchGetByDataFilter(
        spreadsheetId=spreadsheet_id,
        body={"dataFilters": [{"a1Range": "Responses!B2:B4"}]},
    ).execute()["valueRanges"][0]["valueRange"]["values"]
    grid = spreadsheets.get(
        spreadsheetId=spreadsheet_id,
        ranges=["Responses!A1"],
        includeGridData=True,
        fields="sheets(properties.gridProperties,data.rowData.values(formattedValue,userEnteredFormat))",
    ).execute()
    seen["header_cell"] = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    seen["grid_properties"] = grid["sheets"][0]["properties"]["gridProperties"]
    try:
        spreadsheets.batchUpdate(spreadsheetId=spreadsheet_id, body={"requests": []}).execute()
        seen["empty_batch"] = "accepted"
    except Exception as error:  # googleapiclient.errors.HttpError
        seen["empty_batch"] = [error.resp.status, error.reason]
    return seen


def main():
    client, key_path, base, spreadsheet_id = sys.argv[1:5]
    session = {"gspread": with_gspread, "api-client": with_api_client}[client]
    print(json.dumps(session(key_path, base, spreadsheet_id)))


if __name__ == "__main__":
    main()
