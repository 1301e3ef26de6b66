//! Filter drops every record (it is used with a predicate).

use connect_api::Value;
use connect_api::source::SourceRecord;
use connect_api::transforms::Transformation;
use connect_transforms::Filter;

use crate::common::*;

#[test]
fn drops_every_record() {
    let xform: Filter<SourceRecord> = configured(Filter::new(), &[]);
    assert!(
        xform
            .apply(source_value(None, Value::Int32(1)))
            .expect("applied")
            .is_none()
    );
    assert!(
        xform
            .apply(source_value(None, Value::Null))
            .expect("applied")
            .is_none()
    );
    let sink_filter: Filter<connect_api::sink::SinkRecord> = configured(Filter::new(), &[]);
    let record = sink("t", 0, None, Value::Null, None, Value::Null, 3, None);
    assert!(sink_filter.apply(record).expect("applied").is_none());
}
