//! Offsets against the Sheets API emulator: resuming, re-anchoring after rows moved above
//! the last row read, rows appended between short windows.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use connect_api::SourceTask;
use connect_google_sheets::config::Flavor;
use serde_json::json;
use sheets_emulator::{SpreadsheetSeed, ValueInputOption};

const SHEET: &str = "Form responses 1";

fn append(harness: &Harness, id: &str, range: std::ops::Range<usize>) {
    let rows: Vec<serde_json::Value> = range.map(response).collect();
    harness
        .emulator()
        .append_rows(
            id,
            SHEET,
            serde_json::Value::Array(rows),
            ValueInputOption::Raw,
        )
        .expect("appended");
}

async fn read_all(
    harness: &Harness,
    id: &str,
    offsets: &std::sync::Arc<Offsets>,
    extra: &[(&str, &str)],
) -> (
    Vec<connect_api::SourceRecord>,
    std::sync::Arc<connect_google_sheets::TaskStats>,
) {
    let props = harness.props(id, extra);
    let mut task = start_task(&props, offsets, Flavor::Tributary).await;
    let records = poll_idle(&mut task, offsets).await;
    let stats = task.stats();
    task.stop().await.expect("stops");
    (records, stats)
}

#[tokio::test]
async fn a_restart_resumes_exactly_after_the_committed_row() {
    let harness = Harness::start("offsets-resume@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(5))));
    let offsets = Offsets::new();
    let (first, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&first), users(0..5));
    let last = first.last().expect("records");
    assert_eq!(
        serde_json::Value::Object(last.source_offset.clone())["row"],
        json!(6)
    );

    // Nothing new: a restart repeats nothing.
    let (again, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert!(again.is_empty(), "{:?}", emails(&again));

    // Rows appended while stopped are read on start, and only they.
    append(&harness, &id, 5..8);
    let (next, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&next), users(5..8));
    assert_eq!(next.iter().map(row_of).collect::<Vec<_>>(), vec![7, 8, 9]);
}

#[tokio::test]
async fn rows_inserted_above_the_anchor_move_it_down() {
    let harness = Harness::start("offsets-insert@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(5))));
    let offsets = Offsets::new();
    let (first, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(first.len(), 5);

    // While stopped: two rows inserted above row 3, then two responses appended.
    harness
        .emulator()
        .insert_rows(
            &id,
            SHEET,
            2,
            json!([["inserted", "x@example.com"], ["inserted", "y@example.com"]]),
            ValueInputOption::Raw,
        )
        .expect("inserted");
    append(&harness, &id, 5..7);

    let (next, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(
        emails(&next),
        users(5..7),
        "neither repeats nor inserted rows"
    );
    assert_eq!(next.iter().map(row_of).collect::<Vec<_>>(), vec![9, 10]);
    assert_eq!(stats.anchors_moved.load(Ordering::Relaxed), 1);
    assert_eq!(stats.anchors_lost.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn rows_deleted_above_the_anchor_move_it_up() {
    let harness = Harness::start("offsets-delete@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(10))));
    let offsets = Offsets::new();
    let (first, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(first.len(), 10);

    // Three test responses deleted (rows 2-4), two new ones.
    harness
        .emulator()
        .delete_rows(&id, SHEET, 1, 3)
        .expect("deleted");
    append(&harness, &id, 10..12);

    let (next, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&next), users(10..12), "no row lost, none repeated");
    assert_eq!(next.iter().map(row_of).collect::<Vec<_>>(), vec![9, 10]);
    assert_eq!(stats.anchors_moved.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn rows_moving_while_the_task_runs_are_followed_too() {
    let harness = Harness::start("offsets-live@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(4))));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let mut seen = emails(&poll_idle(&mut task, &offsets).await);
    harness
        .emulator()
        .delete_rows(&id, SHEET, 1, 2)
        .expect("deleted");
    append(&harness, &id, 4..6);
    seen.extend(emails(&poll_idle(&mut task, &offsets).await));
    harness
        .emulator()
        .insert_rows(&id, SHEET, 1, json!([["new top"]]), ValueInputOption::Raw)
        .expect("inserted");
    append(&harness, &id, 6..7);
    seen.extend(emails(&poll_idle(&mut task, &offsets).await));
    assert_eq!(seen, users(0..7));
    assert_eq!(task.stats().anchors_moved.load(Ordering::Relaxed), 2);
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn edited_rows_resume_after_the_same_row_and_an_edited_last_row_is_read_again() {
    let harness = Harness::start("offsets-edit@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(3))));
    let offsets = Offsets::new();
    let (first, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(first.len(), 3);
    // Someone marks the responses as processed, in a column of their own: the last row read
    // and the one before it both change, nothing moves.
    harness
        .emulator()
        .set_values(
            &id,
            "'Form responses 1'!E2:E4",
            json!([["processed"], ["processed"], ["processed"]]),
            ValueInputOption::Raw,
        )
        .expect("edited");
    append(&harness, &id, 3..4);
    let (next, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&next), users(3..4));
    assert_eq!(stats.anchors_lost.load(Ordering::Relaxed), 1);

    // Only the last row read changes: it cannot be told from a deleted one, and is read
    // again rather than risk skipping the row after it.
    harness
        .emulator()
        .set_values(
            &id,
            "'Form responses 1'!E5",
            json!([["processed"]]),
            ValueInputOption::Raw,
        )
        .expect("edited");
    append(&harness, &id, 4..5);
    let (next, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&next), users(3..5));
    assert_eq!(stats.anchors_moved.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_deleted_last_row_loses_nothing() {
    let harness = Harness::start("offsets-lastrow@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(4))));
    let offsets = Offsets::new();
    let (first, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(first.len(), 4);
    // The last response read (a test submission, row 5) is deleted; two more arrive.
    append(&harness, &id, 4..6);
    harness
        .emulator()
        .delete_rows(&id, SHEET, 4, 1)
        .expect("deleted");
    let (next, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&next), users(4..6));
    assert_eq!(stats.anchors_moved.load(Ordering::Relaxed), 1);
    assert_eq!(stats.anchors_lost.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_sheet_emptied_below_the_anchor_starts_over_from_its_first_row() {
    let harness = Harness::start("offsets-shrink@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(6))));
    let offsets = Offsets::new();
    let (first, _) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(first.len(), 6);
    // Every response deleted, then new ones: the old anchor (row 7) and the row before it
    // are gone and the data ends above them.
    harness
        .emulator()
        .delete_rows(&id, SHEET, 1, 6)
        .expect("deleted");
    append(&harness, &id, 100..102);
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let records = poll_until(&mut task, &offsets, Duration::from_secs(20), |r| {
        r.len() >= 2
    })
    .await;
    assert_eq!(emails(&records), users(100..102));
    assert_eq!(task.stats().anchors_lost.load(Ordering::Relaxed), 1);
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn rows_appended_between_short_windows_are_never_skipped() {
    let harness = Harness::start("offsets-windows@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(2))));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[("fetch.max.rows", "3")]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let mut seen = Vec::new();
    let mut next = 2;
    for burst in [1usize, 0, 5, 2, 7, 0, 3] {
        append(&harness, &id, next..next + burst);
        next += burst;
        for _ in 0..2 {
            let records = task
                .poll()
                .await
                .unwrap_or_else(|e| panic!("{}", e.trace()));
            offsets.commit(&records);
            seen.extend(emails(&records));
        }
    }
    seen.extend(emails(&poll_idle(&mut task, &offsets).await));
    assert_eq!(seen, users(0..next));
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn an_offset_with_only_a_row_number_is_trusted() {
    let harness = Harness::start("offsets-rowonly@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(6))));
    let offsets = Offsets::new();
    let sheet_id = harness
        .emulator()
        .spreadsheet_json(&id)
        .expect("metadata")["sheets"][0]["properties"]["sheetId"]
        .as_i64()
        .expect("a sheet id");
    let mut offset = connect_api::SourceOffset::new();
    offset.insert("row".into(), json!(4));
    offsets.set(
        connect_google_sheets::offsets::source_partition(&id, sheet_id),
        offset,
    );
    let (records, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&records), users(3..6));
    assert_eq!(stats.anchors_lost.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn an_anchor_past_the_shrunken_grid_is_searched_for_not_refused() {
    let harness = Harness::start("offsets-grid@tributary-test.iam.gserviceaccount.com");
    // The grid fits the data exactly: 1 header + 10 responses, 4 columns.
    let id = harness
        .spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(SHEET, forms_rows(10)).grid(11, 4)));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    assert_eq!(poll_idle(&mut task, &offsets).await.len(), 10);

    // While running: three rows deleted, so the grid (8 rows) ends above the anchor (11).
    harness
        .emulator()
        .delete_rows(&id, SHEET, 1, 3)
        .expect("deleted");
    append(&harness, &id, 10..12);
    assert_eq!(emails(&poll_idle(&mut task, &offsets).await), users(10..12));
    task.stop().await.expect("stops");

    // While stopped: the same again.
    harness
        .emulator()
        .delete_rows(&id, SHEET, 1, 3)
        .expect("deleted");
    append(&harness, &id, 12..13);
    let (next, stats) = read_all(&harness, &id, &offsets, &[]).await;
    assert_eq!(emails(&next), users(12..13));
    assert_eq!(stats.anchors_moved.load(Ordering::Relaxed), 1);
    let counters = harness.emulator().counters();
    assert_eq!(
        counters.status(400),
        1,
        "one refused range while running, none after: {counters:?}"
    );
}
