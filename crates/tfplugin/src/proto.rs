//! Generated protocol code (prost messages, tonic servers and clients).
//!
//! The crate's `build.rs` compiles, with `protox`, the workspace's own protocol definitions:
//!
//! * `proto/tfplugin6.proto` → [`tfplugin6`]: Terraform plugin protocol 6 at level
//!   6.11, service `tfplugin6.Provider` (`tfplugin6::provider_server::ProviderServer`,
//!   `tfplugin6::provider_client::ProviderClient`).
//! * `proto/plugin.proto` → [`plugin`]: go-plugin's auxiliary services
//!   `plugin.GRPCController`, `plugin.GRPCStdio` and `plugin.GRPCBroker`.
//!
//! Well-known types: `google.protobuf.Timestamp` is [`prost_types::Timestamp`]
//! (re-exported here as [`Timestamp`]); `google.protobuf.Empty` becomes `()`.
//! Do not confuse the latter with [`plugin::Empty`], go-plugin's own empty message
//! used by `GRPCController/Shutdown`.

/// `google.protobuf.Timestamp`, as used by the ephemeral-resource messages.
pub use prost_types::Timestamp;

/// Terraform plugin protocol 6 (package `tfplugin6`).
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    missing_docs,
    rustdoc::all,
    unreachable_pub
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller, stdio and broker services (package `plugin`).
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    missing_docs,
    rustdoc::all,
    unreachable_pub
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}

#[cfg(test)]
mod tests {
    //! Wire-level checks: each encoded tag byte is `(field_number << 3) | wire_type`,
    //! so these fail if a field number or type in the `.proto` files drifts.

    use super::plugin;
    use super::tfplugin6 as tf;
    use prost::Message;

    fn enc<M: Message>(m: &M) -> Vec<u8> {
        m.encode_to_vec()
    }

    #[test]
    fn schema_attribute_write_only_is_field_11() {
        let attr = tf::schema::Attribute {
            write_only: true,
            ..Default::default()
        };
        // field 11, varint
        assert_eq!(enc(&attr), [0x58, 0x01]);

        let attr = tf::schema::Attribute {
            deprecation_message: "x".into(),
            ..Default::default()
        };
        // field 12, length-delimited
        assert_eq!(enc(&attr), [0x62, 0x01, b'x']);

        let attr = tf::schema::Attribute {
            nested_type: Some(tf::schema::Object {
                nesting: tf::schema::object::NestingMode::Set as i32,
                ..Default::default()
            }),
            ..Default::default()
        };
        // nested_type = 10 (length-delimited) wrapping nesting = 3 (varint, SET = 3)
        assert_eq!(enc(&attr), [0x52, 0x02, 0x18, 0x03]);
    }

    #[test]
    fn schema_block_and_nested_block_numbers() {
        let block = tf::schema::Block {
            version: 1,
            description_kind: tf::StringKind::Markdown as i32,
            deprecated: true,
            ..Default::default()
        };
        assert_eq!(enc(&block), [0x08, 0x01, 0x28, 0x01, 0x30, 0x01]);

        let nb = tf::schema::NestedBlock {
            nesting: tf::schema::nested_block::NestingMode::Group as i32,
            max_items: 2,
            ..Default::default()
        };
        assert_eq!(enc(&nb), [0x18, 0x05, 0x28, 0x02]);
    }

    #[test]
    fn get_provider_schema_response_numbers() {
        let resp = tf::get_provider_schema::Response {
            provider: Some(tf::Schema::default()),
            server_capabilities: Some(tf::ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: false,
                move_resource_state: true,
                generate_resource_config: true,
            }),
            ..Default::default()
        };
        assert_eq!(
            enc(&resp),
            [
                0x0a, 0x00, // provider = 1, empty
                0x32, 0x06, // server_capabilities = 6
                0x08, 0x01, // plan_destroy = 1
                0x18, 0x01, // move_resource_state = 3
                0x20, 0x01, // generate_resource_config = 4
            ]
        );

        let mut resp = tf::get_provider_schema::Response::default();
        resp.action_schemas.insert(
            "a".into(),
            tf::ActionSchema {
                schema: Some(tf::Schema::default()),
            },
        );
        // action_schemas = 11: entry {key = 1: "a", value = 2: {schema = 1: {}}}
        assert_eq!(
            enc(&resp),
            [0x5a, 0x07, 0x0a, 0x01, b'a', 0x12, 0x02, 0x0a, 0x00]
        );
    }

    #[test]
    fn diagnostics_field_numbers_differ_per_message() {
        let diag = tf::Diagnostic {
            severity: tf::diagnostic::Severity::Warning as i32,
            ..Default::default()
        };
        // ValidateProviderConfig.Response puts diagnostics at 2, not 1.
        let resp = tf::validate_provider_config::Response {
            diagnostics: vec![diag.clone()],
        };
        assert_eq!(enc(&resp), [0x12, 0x02, 0x08, 0x02]);
        // ApplyResourceChange.Response puts them at 3.
        let resp = tf::apply_resource_change::Response {
            diagnostics: vec![diag],
            ..Default::default()
        };
        assert_eq!(enc(&resp), [0x1a, 0x02, 0x08, 0x02]);
    }

    #[test]
    fn plan_resource_change_response_numbers() {
        let resp = tf::plan_resource_change::Response {
            legacy_type_system: true,
            deferred: Some(tf::Deferred {
                reason: tf::deferred::Reason::AbsentPrereq as i32,
            }),
            ..Default::default()
        };
        assert_eq!(enc(&resp), [0x28, 0x01, 0x32, 0x02, 0x08, 0x03]);
    }

    #[test]
    fn client_capabilities_decode() {
        // deferral_allowed = 1, write_only_attributes_allowed = 2
        let caps = tf::ClientCapabilities::decode(&[0x08, 0x01, 0x10, 0x01][..]).unwrap();
        assert!(caps.deferral_allowed);
        assert!(caps.write_only_attributes_allowed);

        // ValidateResourceConfig.Request.client_capabilities = 3
        let req =
            tf::validate_resource_config::Request::decode(&[0x1a, 0x02, 0x10, 0x01][..]).unwrap();
        assert!(
            req.client_capabilities
                .unwrap()
                .write_only_attributes_allowed
        );
    }

    #[test]
    fn attribute_path_oneof_and_stop_error() {
        let path = tf::AttributePath::decode(&[0x0a, 0x02, 0x18, 0x07][..]).unwrap();
        assert_eq!(
            path.steps[0].selector,
            Some(tf::attribute_path::step::Selector::ElementKeyInt(7))
        );

        let resp = tf::stop_provider::Response { error: "x".into() };
        assert_eq!(enc(&resp), [0x0a, 0x01, b'x']);
    }

    #[test]
    fn ephemeral_and_state_store_numbers() {
        let resp = tf::open_ephemeral_resource::Response {
            renew_at: Some(super::Timestamp {
                seconds: 1,
                nanos: 0,
            }),
            private: Some(Vec::new()),
            ..Default::default()
        };
        // renew_at = 2 (Timestamp.seconds = 1); explicit-presence private = 4, empty
        assert_eq!(enc(&resp), [0x12, 0x02, 0x08, 0x01, 0x22, 0x00]);

        let chunk = tf::write_state_bytes::RequestChunk {
            meta: Some(tf::RequestChunkMeta::default()),
            total_length: 5,
            range: Some(tf::StateByteRange { start: 0, end: 5 }),
            ..Default::default()
        };
        assert_eq!(
            enc(&chunk),
            [0x0a, 0x00, 0x18, 0x05, 0x22, 0x02, 0x10, 0x05]
        );

        let event = tf::invoke_action::Event {
            r#type: Some(tf::invoke_action::event::Type::Completed(
                tf::invoke_action::event::Completed::default(),
            )),
        };
        assert_eq!(enc(&event), [0x12, 0x00]);
    }

    #[test]
    fn go_plugin_messages() {
        let data = plugin::StdioData {
            channel: plugin::stdio_data::Channel::Stderr as i32,
            data: b"hi".to_vec(),
        };
        assert_eq!(enc(&data), [0x08, 0x02, 0x12, 0x02, b'h', b'i']);

        let info = plugin::ConnInfo {
            service_id: 3,
            knock: Some(plugin::conn_info::Knock {
                knock: false,
                ack: true,
                error: String::new(),
            }),
            ..Default::default()
        };
        assert_eq!(enc(&info), [0x08, 0x03, 0x22, 0x02, 0x10, 0x01]);
        assert!(enc(&plugin::Empty {}).is_empty());
    }

    #[test]
    fn grpc_service_names() {
        assert_eq!(tf::provider_server::SERVICE_NAME, "tfplugin6.Provider");
        assert_eq!(
            plugin::grpc_controller_server::SERVICE_NAME,
            "plugin.GRPCController"
        );
        assert_eq!(plugin::grpc_stdio_server::SERVICE_NAME, "plugin.GRPCStdio");
        assert_eq!(
            plugin::grpc_broker_server::SERVICE_NAME,
            "plugin.GRPCBroker"
        );
    }
}
