// The Kafka oracle: Apache Kafka Connect's own converters, header converters, transformations
// and predicates behind JSON lines on stdin/stdout. The protocol is PROTOCOL.md in this folder.

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

public final class KafkaOracle {

    /** A request the oracle itself cannot understand: answered with class "oracle". */
    static final class OracleException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OracleException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Base64.Encoder B64_ENCODER = Base64.getEncoder();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private static final String DATE_NAME = org.apache.kafka.connect.data.Date.LOGICAL_NAME;
    private static final String TIME_NAME = org.apache.kafka.connect.data.Time.LOGICAL_NAME;
    private static final String TIMESTAMP_NAME = org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME;

    /** Configured plugins by (op family, class, config, is_key). */
    private static final Map<String, Object> PLUGINS = new HashMap<>();

    private KafkaOracle() {
    }

    public static void main(String[] args) throws Exception {
        // Answers go to the real stdout; anything else that prints (log output included) to stderr.
        OutputStream answers = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        System.setOut(System.err);

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        String line;
        while ((line = in.readLine()) != null) {
            ObjectNode answer = answer(line);
            byte[] bytes;
            try {
                bytes = MAPPER.writeValueAsBytes(answer);
            } catch (Throwable t) {
                ObjectNode fallback = NODES.objectNode();
                fallback.set("id", answer.get("id"));
                fallback.set("error", oracleError("cannot write answer: " + t));
                bytes = MAPPER.writeValueAsBytes(fallback);
            }
            answers.write(bytes);
            answers.write('\n');
            answers.flush();
        }
        answers.flush();
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------
    // Requests

    private static ObjectNode answer(String line) {
        ObjectNode answer = NODES.objectNode();
        answer.putNull("id");
        JsonNode request;
        try {
            request = MAPPER.readTree(line);
        } catch (Throwable t) {
            String message = t instanceof JsonProcessingException
                ? ((JsonProcessingException) t).getOriginalMessage()
                : String.valueOf(t.getMessage());
            answer.set("error", oracleError("bad JSON: " + message));
            return answer;
        }
        if (request == null || !request.isObject()) {
            answer.set("error", oracleError("a request must be a JSON object"));
            return answer;
        }
        JsonNode id = request.get("id");
        if (id != null) {
            answer.set("id", id);
        }
        try {
            answer.set("ok", handle((ObjectNode) request));
        } catch (OracleException e) {
            answer.set("error", oracleError(e.getMessage()));
        } catch (Throwable t) {
            answer.set("error", javaError(t));
        }
        return answer;
    }

    private static ObjectNode handle(ObjectNode request) throws Exception {
        String op = requiredString(request, "op");
        ObjectNode ok = NODES.objectNode();
        switch (op) {
            case "configure": {
                String kind = requiredString(request, "kind");
                switch (kind) {
                    case "converter":
                    case "header_converter":
                    case "transformation":
                    case "predicate":
                        plugin(kind, request);
                        return ok;
                    default:
                        throw new OracleException("unknown plugin kind: " + kind);
                }
            }
            case "from_connect": {
                Converter converter = (Converter) plugin("converter", request);
                String topic = optionalString(request, "topic");
                RecordHeaders headers = rawHeaders(request.get("headers"));
                Schema schema = readSchemaOrNull(request.get("schema"));
                Object value = readValue(required(request, "value"), schema);
                ok.set("bytes", writeBytes(converter.fromConnectData(topic, headers, schema, value)));
                return ok;
            }
            case "to_connect": {
                Converter converter = (Converter) plugin("converter", request);
                String topic = optionalString(request, "topic");
                RecordHeaders headers = rawHeaders(request.get("headers"));
                byte[] bytes = readBytes(request.get("bytes"));
                writeSchemaAndValue(ok, converter.toConnectData(topic, headers, bytes));
                return ok;
            }
            case "header_from_connect": {
                HeaderConverter converter = (HeaderConverter) plugin("header_converter", request);
                String topic = optionalString(request, "topic");
                String headerKey = optionalString(request, "header_key");
                Schema schema = readSchemaOrNull(request.get("schema"));
                Object value = readValue(required(request, "value"), schema);
                ok.set("bytes", writeBytes(converter.fromConnectHeader(topic, headerKey, schema, value)));
                return ok;
            }
            case "header_to_connect": {
                HeaderConverter converter = (HeaderConverter) plugin("header_converter", request);
                String topic = optionalString(request, "topic");
                String headerKey = optionalString(request, "header_key");
                byte[] bytes = readBytes(request.get("bytes"));
                writeSchemaAndValue(ok, converter.toConnectHeader(topic, headerKey, bytes));
                return ok;
            }
            case "apply": {
                @SuppressWarnings("rawtypes")
                Transformation transformation = (Transformation) plugin("transformation", request);
                ConnectRecord<?> record = readRecord(required(request, "record"));
                @SuppressWarnings("unchecked")
                Object result = transformation.apply(record);
                ok.set("record", writeRecord((ConnectRecord<?>) result));
                return ok;
            }
            case "test": {
                @SuppressWarnings("rawtypes")
                Predicate predicate = (Predicate) plugin("predicate", request);
                ConnectRecord<?> record = readRecord(required(request, "record"));
                @SuppressWarnings("unchecked")
                boolean result = predicate.test(record);
                ok.put("result", result);
                return ok;
            }
            default:
                throw new OracleException("unknown op: " + op);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Plugins

    private static Object plugin(String family, ObjectNode request) throws Exception {
        String className = requiredString(request, "class");
        Map<String, String> config = readConfig(request.get("config"));
        boolean isKey = false;
        if (family.equals("converter")) {
            JsonNode isKeyNode = request.get("is_key");
            if (isKeyNode != null && !isKeyNode.isNull()) {
                if (!isKeyNode.isBoolean()) {
                    throw new OracleException("is_key must be a boolean");
                }
                isKey = isKeyNode.booleanValue();
            }
        }
        String cacheKey = family + '\u0000' + className + '\u0000' + isKey + '\u0000'
            + MAPPER.writeValueAsString(new TreeMap<>(config));
        Object cached = PLUGINS.get(cacheKey);
        if (cached != null) {
            return cached;
        }

        Object instance = Class.forName(className).getDeclaredConstructor().newInstance();
        Map<String, Object> configs = new HashMap<>(config);
        switch (family) {
            case "converter":
                if (!(instance instanceof Converter)) {
                    throw new OracleException(className + " is not a Converter");
                }
                ((Converter) instance).configure(configs, isKey);
                break;
            case "header_converter":
                if (!(instance instanceof HeaderConverter)) {
                    throw new OracleException(className + " is not a HeaderConverter");
                }
                ((HeaderConverter) instance).configure(configs);
                break;
            case "transformation":
                if (!(instance instanceof Transformation)) {
                    throw new OracleException(className + " is not a Transformation");
                }
                ((Transformation<?>) instance).configure(configs);
                break;
            case "predicate":
                if (!(instance instanceof Predicate)) {
                    throw new OracleException(className + " is not a Predicate");
                }
                ((Predicate<?>) instance).configure(configs);
                break;
            default:
                throw new OracleException("unknown plugin kind: " + family);
        }
        PLUGINS.put(cacheKey, instance);
        return instance;
    }

    private static Map<String, String> readConfig(JsonNode node) {
        if (node == null || node.isNull()) {
            return Collections.emptyMap();
        }
        if (!node.isObject()) {
            throw new OracleException("config must be an object of strings");
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new OracleException("config value of " + entry.getKey() + " must be a string");
            }
            config.put(entry.getKey(), entry.getValue().textValue());
        }
        return config;
    }

    // ---------------------------------------------------------------------------------------
    // Request fields

    private static JsonNode required(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null) {
            throw new OracleException("missing field: " + field);
        }
        return node;
    }

    private static String requiredString(JsonNode object, String field) {
        JsonNode node = required(object, field);
        if (!node.isTextual()) {
            throw new OracleException("field " + field + " must be a string");
        }
        return node.textValue();
    }

    private static String optionalString(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new OracleException("field " + field + " must be a string or null");
        }
        return node.textValue();
    }

    private static Long optionalLong(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new OracleException("field " + field + " must be a 64-bit integer or null");
        }
        return node.longValue();
    }

    private static Integer optionalInt(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new OracleException("field " + field + " must be a 32-bit integer or null");
        }
        return node.intValue();
    }

    private static byte[] readBytes(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new OracleException("bytes must be a base64 string or null");
        }
        return decodeBase64(node.textValue());
    }

    private static byte[] decodeBase64(String text) {
        try {
            return B64_DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw new OracleException("bad base64: " + e.getMessage());
        }
    }

    private static JsonNode writeBytes(byte[] bytes) {
        return bytes == null ? NODES.nullNode() : NODES.textNode(B64_ENCODER.encodeToString(bytes));
    }

    /** The kafka-clients headers a Converter takes: each H's value is {"bytes": ...} or null. */
    private static RecordHeaders rawHeaders(JsonNode node) {
        RecordHeaders headers = new RecordHeaders();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (!node.isArray()) {
            throw new OracleException("headers must be a list");
        }
        for (JsonNode h : node) {
            if (!h.isObject()) {
                throw new OracleException("a header must be an object");
            }
            String key = requiredString(h, "key");
            JsonNode value = h.get("value");
            byte[] bytes;
            if (value == null || value.isNull()) {
                bytes = null;
            } else if (value.isObject() && value.size() == 1 && value.has("bytes") && value.get("bytes").isTextual()) {
                bytes = decodeBase64(value.get("bytes").textValue());
            } else {
                throw new OracleException("a converter's header value must be {\"bytes\": ...} or null");
            }
            headers.add(key, bytes);
        }
        return headers;
    }

    // ---------------------------------------------------------------------------------------
    // Schemas

    private static Schema readSchemaOrNull(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return readSchema(node);
    }

    /**
     * Schemas already built, by their JSON. A connector hands Kafka a Struct that holds the
     * very schema object of its record (or field); Kafka's ConnectSchema.equals compares
     * byte[] defaults by reference, so two separately built but equal schemas with a bytes
     * default would not be equal. Reusing one object per distinct schema JSON gives Kafka's
     * code what a connector gives it.
     */
    private static final Map<JsonNode, Schema> SCHEMAS = new HashMap<>();

    private static Schema readSchema(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new OracleException("a schema must be an object");
        }
        Schema known = SCHEMAS.get(node);
        if (known != null) {
            return known;
        }
        Schema built = buildSchema(node);
        if (SCHEMAS.size() > 100_000) {
            SCHEMAS.clear();
        }
        SCHEMAS.put(node.deepCopy(), built);
        return built;
    }

    // A NaN other than Java's canonical one travels as "NaN:0x<raw bits>", so that its payload
    // reaches Kafka's code (FloatConverter writes the raw bits) and comes back.
    private static float parseFloat(String text) {
        if (text.startsWith("NaN:0x")) {
            return Float.intBitsToFloat(Integer.parseUnsignedInt(text.substring(6), 16));
        }
        return Float.parseFloat(text);
    }

    private static double parseDouble(String text) {
        if (text.startsWith("NaN:0x")) {
            return Double.longBitsToDouble(Long.parseUnsignedLong(text.substring(6), 16));
        }
        return Double.parseDouble(text);
    }

    private static String floatText(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f) && bits != Float.floatToIntBits(Float.NaN)) {
            return "NaN:0x" + Integer.toHexString(bits);
        }
        return Float.toString(f);
    }

    private static String doubleText(double d) {
        long bits = Double.doubleToRawLongBits(d);
        if (Double.isNaN(d) && bits != Double.doubleToLongBits(Double.NaN)) {
            return "NaN:0x" + Long.toHexString(bits);
        }
        return Double.toString(d);
    }

    private static Schema buildSchema(JsonNode node) {
        String typeName = requiredString(node, "type");
        Schema.Type type;
        try {
            type = Schema.Type.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw new OracleException("unknown schema type: " + typeName);
        }
        SchemaBuilder builder;
        switch (type) {
            case ARRAY:
                builder = SchemaBuilder.array(readSchema(required(node, "value")));
                break;
            case MAP:
                builder = SchemaBuilder.map(readSchema(required(node, "key")), readSchema(required(node, "value")));
                break;
            case STRUCT:
                builder = SchemaBuilder.struct();
                JsonNode fields = node.get("fields");
                if (fields != null && !fields.isNull()) {
                    if (!fields.isArray()) {
                        throw new OracleException("fields must be a list");
                    }
                    for (JsonNode f : fields) {
                        if (!f.isObject()) {
                            throw new OracleException("a field must be an object");
                        }
                        builder.field(requiredString(f, "name"), readSchema(required(f, "schema")));
                    }
                }
                break;
            default:
                builder = SchemaBuilder.type(type);
        }
        String name = optionalString(node, "name");
        if (name != null) {
            builder.name(name);
        }
        Integer version = optionalInt(node, "version");
        if (version != null) {
            builder.version(version);
        }
        String doc = optionalString(node, "doc");
        if (doc != null) {
            builder.doc(doc);
        }
        JsonNode parameters = node.get("parameters");
        if (parameters != null && !parameters.isNull()) {
            if (!parameters.isObject()) {
                throw new OracleException("parameters must be an object of strings");
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : parameters.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new OracleException("parameter " + e.getKey() + " must be a string");
                }
                params.put(e.getKey(), e.getValue().textValue());
            }
            builder.parameters(params);
        }
        JsonNode optional = node.get("optional");
        if (optional != null && !optional.isNull()) {
            if (!optional.isBoolean()) {
                throw new OracleException("optional must be a boolean");
            }
            if (optional.booleanValue()) {
                builder.optional();
            }
        }
        JsonNode defaultNode = node.get("default");
        if (defaultNode != null && !defaultNode.isNull()) {
            // The builder is the schema in context: its name makes a logical default a Date.
            builder.defaultValue(readValue(defaultNode, builder));
        }
        return builder.build();
    }

    private static JsonNode writeSchemaOrNull(Schema schema) {
        return schema == null ? NODES.nullNode() : writeSchema(schema);
    }

    private static ObjectNode writeSchema(Schema schema) {
        ObjectNode node = NODES.objectNode();
        node.put("type", schema.type().name());
        node.put("optional", schema.isOptional());
        node.put("name", schema.name());
        node.put("version", schema.version());
        node.put("doc", schema.doc());
        Map<String, String> parameters = schema.parameters();
        if (parameters == null) {
            node.putNull("parameters");
        } else {
            ObjectNode params = node.putObject("parameters");
            for (Map.Entry<String, String> e : parameters.entrySet()) {
                params.put(e.getKey(), e.getValue());
            }
        }
        if (schema.defaultValue() != null) {
            node.set("default", writeValue(schema.defaultValue(), schema));
        }
        switch (schema.type()) {
            case STRUCT: {
                ArrayNode fields = node.putArray("fields");
                for (Field field : schema.fields()) {
                    ObjectNode f = fields.addObject();
                    f.put("name", field.name());
                    f.set("schema", writeSchema(field.schema()));
                }
                break;
            }
            // Kafka's own code (Values.parseString) makes MAP and ARRAY schemas without key
            // or element schemas: written as null.
            case MAP:
                node.set("key", writeSchemaOrNull(schema.keySchema()));
                node.set("value", writeSchemaOrNull(schema.valueSchema()));
                break;
            case ARRAY:
                node.set("value", writeSchemaOrNull(schema.valueSchema()));
                break;
            default:
                break;
        }
        return node;
    }

    // ---------------------------------------------------------------------------------------
    // Values

    private static String logicalName(Schema schema) {
        return schema == null ? null : schema.name();
    }

    private static long integral(JsonNode n, String tag, long min, long max) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new OracleException(tag + " must hold an integer");
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw new OracleException(tag + " out of range: " + v);
        }
        return v;
    }

    private static String text(JsonNode n, String tag) {
        if (n == null || !n.isTextual()) {
            throw new OracleException(tag + " must hold a string");
        }
        return n.textValue();
    }

    /** Reads a tagged value; `schema` is the schema in context (may be null). */
    private static Object readValue(JsonNode node, Schema schema) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject() || node.size() != 1) {
            throw new OracleException("a value must be null or an object with one tag: " + node);
        }
        Map.Entry<String, JsonNode> entry = node.properties().iterator().next();
        String tag = entry.getKey();
        JsonNode n = entry.getValue();
        switch (tag) {
            case "int8":
                return (byte) integral(n, tag, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case "int16":
                return (short) integral(n, tag, Short.MIN_VALUE, Short.MAX_VALUE);
            case "int32": {
                int v = (int) integral(n, tag, Integer.MIN_VALUE, Integer.MAX_VALUE);
                String name = logicalName(schema);
                if (DATE_NAME.equals(name)) {
                    return new java.util.Date(v * 86400000L);
                }
                if (TIME_NAME.equals(name)) {
                    return new java.util.Date(v);
                }
                return v;
            }
            case "int64": {
                long v = integral(n, tag, Long.MIN_VALUE, Long.MAX_VALUE);
                if (TIMESTAMP_NAME.equals(logicalName(schema))) {
                    return new java.util.Date(v);
                }
                return v;
            }
            case "float32":
                try {
                    return parseFloat(text(n, tag));
                } catch (NumberFormatException e) {
                    throw new OracleException("bad float32: " + n.textValue());
                }
            case "float64":
                try {
                    return parseDouble(text(n, tag));
                } catch (NumberFormatException e) {
                    throw new OracleException("bad float64: " + n.textValue());
                }
            case "boolean":
                if (!n.isBoolean()) {
                    throw new OracleException("boolean must hold true or false");
                }
                return n.booleanValue();
            case "string":
                return text(n, tag);
            case "bytes":
                return decodeBase64(text(n, tag));
            case "array": {
                if (!n.isArray()) {
                    throw new OracleException("array must hold a list");
                }
                Schema element = schema != null && schema.type() == Schema.Type.ARRAY ? schema.valueSchema() : null;
                List<Object> list = new ArrayList<>(n.size());
                for (JsonNode e : n) {
                    list.add(readValue(e, element));
                }
                return list;
            }
            case "map": {
                if (!n.isArray()) {
                    throw new OracleException("map must hold a list of [key, value] pairs");
                }
                boolean isMap = schema != null && schema.type() == Schema.Type.MAP;
                Schema keySchema = isMap ? schema.keySchema() : null;
                Schema valueSchema = isMap ? schema.valueSchema() : null;
                Map<Object, Object> map = new LinkedHashMap<>();
                for (JsonNode pair : n) {
                    if (!pair.isArray() || pair.size() != 2) {
                        throw new OracleException("a map entry must be a [key, value] pair");
                    }
                    map.put(readValue(pair.get(0), keySchema), readValue(pair.get(1), valueSchema));
                }
                return map;
            }
            case "struct": {
                if (!n.isObject()) {
                    throw new OracleException("struct must hold {\"schema\": S, \"values\": [...]}");
                }
                Schema structSchema = readSchema(required(n, "schema"));
                if (structSchema.type() != Schema.Type.STRUCT) {
                    throw new OracleException("a struct's schema must be a STRUCT schema");
                }
                JsonNode values = required(n, "values");
                List<Field> fields = structSchema.fields();
                if (!values.isArray() || values.size() != fields.size()) {
                    throw new OracleException("a struct needs one value per field (" + fields.size() + ")");
                }
                Struct struct = new Struct(structSchema);
                for (int i = 0; i < fields.size(); i++) {
                    Field field = fields.get(i);
                    Object v = readValue(values.get(i), field.schema());
                    if (v != null) {
                        struct.put(field, v);
                    }
                }
                return struct;
            }
            case "decimal":
                try {
                    return new BigDecimal(text(n, tag));
                } catch (NumberFormatException e) {
                    throw new OracleException("bad decimal: " + n.textValue());
                }
            case "date_object":
                return new java.util.Date(integral(n, tag, Long.MIN_VALUE, Long.MAX_VALUE));
            default:
                throw new OracleException("unknown value tag: " + tag);
        }
    }

    private static ObjectNode tagged(String tag, JsonNode value) {
        ObjectNode node = NODES.objectNode();
        node.set(tag, value);
        return node;
    }

    /** Writes a Java value; `schema` is the schema in context (may be null). */
    private static JsonNode writeValue(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof java.util.Date) {
            java.util.Date date = (java.util.Date) value;
            String name = logicalName(schema);
            try {
                if (DATE_NAME.equals(name)) {
                    return tagged("int32", NODES.numberNode(org.apache.kafka.connect.data.Date.fromLogical(schema, date)));
                }
                if (TIME_NAME.equals(name)) {
                    return tagged("int32", NODES.numberNode(org.apache.kafka.connect.data.Time.fromLogical(schema, date)));
                }
                if (TIMESTAMP_NAME.equals(name)) {
                    return tagged("int64", NODES.numberNode(org.apache.kafka.connect.data.Timestamp.fromLogical(schema, date)));
                }
            } catch (RuntimeException e) {
                throw new OracleException("cannot write java.util.Date " + date.getTime() + " under " + name
                    + ": " + e.getMessage());
            }
            return tagged("date_object", NODES.numberNode(date.getTime()));
        }
        if (value instanceof Byte) {
            return tagged("int8", NODES.numberNode((Byte) value));
        }
        if (value instanceof Short) {
            return tagged("int16", NODES.numberNode((Short) value));
        }
        if (value instanceof Integer) {
            return tagged("int32", NODES.numberNode((Integer) value));
        }
        if (value instanceof Long) {
            return tagged("int64", NODES.numberNode((Long) value));
        }
        if (value instanceof Float) {
            return tagged("float32", NODES.textNode(floatText((Float) value)));
        }
        if (value instanceof Double) {
            return tagged("float64", NODES.textNode(doubleText((Double) value)));
        }
        if (value instanceof Boolean) {
            return tagged("boolean", NODES.booleanNode((Boolean) value));
        }
        if (value instanceof String) {
            return tagged("string", NODES.textNode((String) value));
        }
        if (value instanceof byte[]) {
            return tagged("bytes", NODES.textNode(B64_ENCODER.encodeToString((byte[]) value)));
        }
        if (value instanceof ByteBuffer) {
            ByteBuffer buffer = ((ByteBuffer) value).duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return tagged("bytes", NODES.textNode(B64_ENCODER.encodeToString(bytes)));
        }
        if (value instanceof BigDecimal) {
            return tagged("decimal", NODES.textNode(value.toString()));
        }
        if (value instanceof List) {
            Schema element = schema != null && schema.type() == Schema.Type.ARRAY ? schema.valueSchema() : null;
            ArrayNode array = NODES.arrayNode();
            for (Object e : (List<?>) value) {
                array.add(writeValue(e, element));
            }
            return tagged("array", array);
        }
        if (value instanceof Map) {
            boolean isMap = schema != null && schema.type() == Schema.Type.MAP;
            Schema keySchema = isMap ? schema.keySchema() : null;
            Schema valueSchema = isMap ? schema.valueSchema() : null;
            ArrayNode entries = NODES.arrayNode();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                ArrayNode pair = entries.addArray();
                pair.add(writeValue(e.getKey(), keySchema));
                pair.add(writeValue(e.getValue(), valueSchema));
            }
            return tagged("map", entries);
        }
        if (value instanceof Struct) {
            Struct struct = (Struct) value;
            Schema structSchema = struct.schema();
            ObjectNode body = NODES.objectNode();
            body.set("schema", writeSchema(structSchema));
            ArrayNode values = body.putArray("values");
            for (Field field : structSchema.fields()) {
                values.add(writeValue(struct.getWithoutDefault(field.name()), field.schema()));
            }
            return tagged("struct", body);
        }
        throw new OracleException("cannot write a value of class " + value.getClass().getName());
    }

    private static void writeSchemaAndValue(ObjectNode ok, SchemaAndValue sv) {
        Schema schema = sv == null ? null : sv.schema();
        Object value = sv == null ? null : sv.value();
        ok.set("schema", writeSchemaOrNull(schema));
        ok.set("value", writeValue(value, schema));
    }

    // ---------------------------------------------------------------------------------------
    // Records

    private static ConnectRecord<?> readRecord(JsonNode node) {
        if (!node.isObject()) {
            throw new OracleException("a record must be an object");
        }
        String kind = requiredString(node, "kind");
        String topic = optionalString(node, "topic");
        Integer partition = optionalInt(node, "partition");
        Schema keySchema = readSchemaOrNull(node.get("key_schema"));
        Object key = readValue(node.get("key"), keySchema);
        Schema valueSchema = readSchemaOrNull(node.get("value_schema"));
        Object value = readValue(node.get("value"), valueSchema);
        Long timestamp = optionalLong(node, "timestamp");
        ConnectHeaders headers = new ConnectHeaders();
        JsonNode hs = node.get("headers");
        if (hs != null && !hs.isNull()) {
            if (!hs.isArray()) {
                throw new OracleException("headers must be a list");
            }
            for (JsonNode h : hs) {
                if (!h.isObject()) {
                    throw new OracleException("a header must be an object");
                }
                String hkey = requiredString(h, "key");
                Schema hschema = readSchemaOrNull(h.get("schema"));
                Object hvalue = readValue(h.get("value"), hschema);
                headers.add(hkey, hvalue, hschema);
            }
        }
        switch (kind) {
            case "source":
                return new SourceRecord(new HashMap<String, Object>(), new HashMap<String, Object>(), topic, partition,
                    keySchema, key, valueSchema, value, timestamp, headers);
            case "sink": {
                Long offset = optionalLong(node, "kafka_offset");
                String typeName = optionalString(node, "timestamp_type");
                TimestampType timestampType = TimestampType.NO_TIMESTAMP_TYPE;
                if (typeName != null) {
                    timestampType = null;
                    for (TimestampType t : TimestampType.values()) {
                        if (t.name.equals(typeName)) {
                            timestampType = t;
                        }
                    }
                    if (timestampType == null) {
                        throw new OracleException("unknown timestamp_type: " + typeName);
                    }
                }
                return new SinkRecord(topic, partition == null ? 0 : partition, keySchema, key, valueSchema, value,
                    offset == null ? 0L : offset, timestamp, timestampType, headers);
            }
            default:
                throw new OracleException("unknown record kind: " + kind);
        }
    }

    private static JsonNode writeRecord(ConnectRecord<?> record) {
        if (record == null) {
            return NODES.nullNode();
        }
        ObjectNode node = NODES.objectNode();
        if (record instanceof SinkRecord) {
            node.put("kind", "sink");
        } else if (record instanceof SourceRecord) {
            node.put("kind", "source");
        } else {
            throw new OracleException("cannot write a record of class " + record.getClass().getName());
        }
        node.put("topic", record.topic());
        node.put("partition", record.kafkaPartition());
        node.set("key_schema", writeSchemaOrNull(record.keySchema()));
        node.set("key", writeValue(record.key(), record.keySchema()));
        node.set("value_schema", writeSchemaOrNull(record.valueSchema()));
        node.set("value", writeValue(record.value(), record.valueSchema()));
        node.put("timestamp", record.timestamp());
        ArrayNode headers = node.putArray("headers");
        for (Header h : record.headers()) {
            ObjectNode hn = headers.addObject();
            hn.put("key", h.key());
            hn.set("schema", writeSchemaOrNull(h.schema()));
            hn.set("value", writeValue(h.value(), h.schema()));
        }
        if (record instanceof SinkRecord) {
            SinkRecord sink = (SinkRecord) record;
            node.put("kafka_offset", sink.kafkaOffset());
            TimestampType type = sink.timestampType();
            node.put("timestamp_type", type == null ? null : type.name);
        }
        return node;
    }

    // ---------------------------------------------------------------------------------------
    // Errors

    private static ObjectNode oracleError(String message) {
        ObjectNode error = NODES.objectNode();
        error.put("class", "oracle");
        error.put("message", message);
        error.putArray("causes");
        return error;
    }

    private static ObjectNode javaError(Throwable t) {
        ObjectNode error = NODES.objectNode();
        error.put("class", t.getClass().getName());
        error.put("message", t.getMessage());
        ArrayNode causes = error.putArray("causes");
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(t);
        for (Throwable c = t.getCause(); c != null && seen.add(c); c = c.getCause()) {
            ObjectNode cause = causes.addObject();
            cause.put("class", c.getClass().getName());
            cause.put("message", c.getMessage());
        }
        return error;
    }
}
