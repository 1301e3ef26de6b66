//! The plugin list: Kafka's class names, both record kinds, documented configs.

use connect_api::plugin::{PluginFactory, PluginType};
use connect_transforms::{overview_doc, plugins};

const EXPECTED: [&str; 29] = [
    "org.apache.kafka.connect.transforms.Cast$Key",
    "org.apache.kafka.connect.transforms.Cast$Value",
    "org.apache.kafka.connect.transforms.DropHeaders",
    "org.apache.kafka.connect.transforms.ExtractField$Key",
    "org.apache.kafka.connect.transforms.ExtractField$Value",
    "org.apache.kafka.connect.transforms.Filter",
    "org.apache.kafka.connect.transforms.Flatten$Key",
    "org.apache.kafka.connect.transforms.Flatten$Value",
    "org.apache.kafka.connect.transforms.HeaderFrom$Key",
    "org.apache.kafka.connect.transforms.HeaderFrom$Value",
    "org.apache.kafka.connect.transforms.HoistField$Key",
    "org.apache.kafka.connect.transforms.HoistField$Value",
    "org.apache.kafka.connect.transforms.InsertField$Key",
    "org.apache.kafka.connect.transforms.InsertField$Value",
    "org.apache.kafka.connect.transforms.InsertHeader",
    "org.apache.kafka.connect.transforms.MaskField$Key",
    "org.apache.kafka.connect.transforms.MaskField$Value",
    "org.apache.kafka.connect.transforms.RegexRouter",
    "org.apache.kafka.connect.transforms.ReplaceField$Key",
    "org.apache.kafka.connect.transforms.ReplaceField$Value",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
    "org.apache.kafka.connect.transforms.TimestampConverter$Key",
    "org.apache.kafka.connect.transforms.TimestampConverter$Value",
    "org.apache.kafka.connect.transforms.TimestampRouter",
    "org.apache.kafka.connect.transforms.ValueToKey",
    "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
    "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
    "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
];

#[test]
fn registers_kafkas_class_names() {
    let names: Vec<String> = plugins().iter().map(|p| p.class_name.clone()).collect();
    assert_eq!(names, EXPECTED);
    for plugin in plugins() {
        let expected = if plugin.class_name.contains(".predicates.") {
            PluginType::Predicate
        } else {
            PluginType::Transformation
        };
        assert_eq!(plugin.plugin_type(), expected, "{}", plugin.class_name);
        assert_eq!(plugin.version, env!("CARGO_PKG_VERSION"));
    }
    let cast = plugins().into_iter().find(|p| p.matches("Cast$Value"));
    assert!(cast.is_some());
}

#[test]
fn every_config_key_is_documented_for_both_record_kinds() {
    for plugin in plugins() {
        assert!(overview_doc(&plugin.class_name).is_some_and(|d| !d.is_empty()));
        let defs = match &plugin.factory {
            PluginFactory::Transformation { source, sink } => {
                vec![source().config_def(), sink().config_def()]
            }
            PluginFactory::Predicate { source, sink } => {
                vec![source().config_def(), sink().config_def()]
            }
            _ => panic!("unexpected plugin type for {}", plugin.class_name),
        };
        for def in defs {
            for key in def.keys() {
                assert!(
                    !key.documentation.is_empty(),
                    "{} {}",
                    plugin.class_name,
                    key.name
                );
            }
        }
    }
}

#[test]
fn factories_make_configurable_instances() {
    use connect_api::Props;
    let configs: [(&str, &[(&str, &str)]); 3] = [
        (
            "org.apache.kafka.connect.transforms.RegexRouter",
            &[("regex", "(.*)"), ("replacement", "$1-x")],
        ),
        (
            "org.apache.kafka.connect.transforms.Cast$Key",
            &[("spec", "int8")],
        ),
        (
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            &[("pattern", "a.*")],
        ),
    ];
    for (class_name, pairs) in configs {
        let props: Props = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let plugin = plugins()
            .into_iter()
            .find(|p| p.class_name == class_name)
            .expect("plugin");
        match &plugin.factory {
            PluginFactory::Transformation { source, sink } => {
                source().configure(&props).expect("source config");
                sink().configure(&props).expect("sink config");
            }
            PluginFactory::Predicate { source, sink } => {
                source().configure(&props).expect("source config");
                sink().configure(&props).expect("sink config");
            }
            _ => panic!("unexpected plugin type"),
        }
    }
}
