import GiterCodec
import GiterSchema
import Testing

/// One test per schema keyword: a valid value passes, an invalid one gets
/// the API server's message.
struct KeywordTests {
    typealias F = SchemaFixtures

    @Test(
        arguments: [
            ("type: integer", "3", nil),
            ("type: integer", "\"3\"", "spec.value: Invalid value: \"3\": must be of type integer"),
            ("type: integer", "1.5", "spec.value: Invalid value: 1.5: must be of type integer"),
            ("type: number", "3", nil), ("type: number", "1.5", nil),
            ("type: number", "true", "spec.value: Invalid value: true: must be of type number"),
            ("type: string", "abc", nil),
            ("type: string", "12", "spec.value: Invalid value: 12: must be of type string"),
            ("type: boolean", "false", nil),
            ("type: boolean", "\"no\"", "spec.value: Invalid value: \"no\": must be of type boolean"),
            ("type: object", "{}", nil),
            ("type: object", "[]", "spec.value: Invalid value: []: must be of type object"),
            ("type: array\nitems: {type: string}", "[a]", nil),
            ("type: array\nitems: {type: string}", "{}", "spec.value: Invalid value: {}: must be of type array"),
        ] as [(String, String, String?)]
    )
    func type(schema: String, value: String, expected: String?) throws {
        #expect(try F.valueErrors(schema, value) == (expected.map { [$0] } ?? []))
    }

    @Test func properties() throws {
        let schema = "type: object\nproperties:\n  name: {type: string}\n  size: {type: integer}\n"
        #expect(try F.valueErrors(schema, "{name: a, size: 2}") == [])
        #expect(try F.valueErrors(schema, "{name: 1}") == ["spec.value.name: Invalid value: 1: must be of type string"])
    }

    @Test func unknownFieldsAreErrorsNotPruned() throws {
        let schema = "type: object\nproperties:\n  name: {type: string}\n"
        #expect(try F.valueErrors(schema, "{name: a, colour: red}") == ["spec.value.colour: Unknown field"])
        // A top-level key the schema does not declare is unknown too.
        let version = try F.version(spec: schema)
        let errors = version.validate(try F.resource("spec: {name: a}\nextra: 1\n"), sections: [.spec])
        #expect(errors.map(\.description) == ["extra: Unknown field"])
        #expect(errors.first?.location?.line == 6)
        #expect(errors.first?.location?.column == 1)
    }

    @Test func required() throws {
        let schema = "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n"
        #expect(try F.specErrors(schema, "name: a\n") == [])
        let version = try F.version(spec: schema)
        let errors = version.validate(try F.resource("spec:\n  other: 1\n"), sections: [.spec])
        #expect(errors.map(\.description) == ["spec.other: Unknown field", "spec.name: Required value"])
        #expect(errors.last?.location?.line == 6, "the location of the parent mapping")
    }

    @Test func items() throws {
        let schema = "type: array\nitems: {type: integer, minimum: 0}\n"
        #expect(try F.valueErrors(schema, "[0, 1]") == [])
        #expect(
            try F.valueErrors(schema, "[0, -1]") == [
                "spec.value[1]: Invalid value: -1: must be greater than or equal to 0"
            ]
        )
    }

    @Test func enumeration() throws {
        let schema = "type: string\nenum: [a, b]\n"
        #expect(try F.valueErrors(schema, "b") == [])
        #expect(
            try F.valueErrors(schema, "x") == ["spec.value: Unsupported value: \"x\": supported values: \"a\", \"b\""]
        )
        #expect(try F.valueErrors("type: integer\nenum: [1, 2]\n", "0x2") == [], "numbers compare by value")
    }

    @Test func pattern() throws {
        let schema = "type: string\npattern: '^[a-z]+$'\n"
        let version = try F.version(spec: "type: object\nproperties:\n  value:\n" + F.indent(schema, by: 4))
        let errors = version.validate(try F.resource("spec: {value: ABC}\n"), sections: [.spec]).map(\.description)
        if (try? LinearRegex("^[a-z]+$")) != nil {
            #expect(errors == ["spec.value: Invalid value: \"ABC\": must match '^[a-z]+$'"])
            #expect(version.validate(try F.resource("spec: {value: abc}\n"), sections: [.spec]) == [])
        } else {
            // No matcher for it: reported as not enforced, never a silent pass and never a validation error.
            #expect(errors == [])
            #expect(version.notEnforced.map(\.field) == ["spec.value"])
            #expect(version.notEnforced.first?.feature.hasPrefix("pattern \"^[a-z]+$\"") == true)
        }
    }

    @Test func patternTheMatcherCannotHandleIsNotEnforced() throws {
        // A back-reference is not RE2 syntax: no linear-time matcher takes it.
        let definition = try F.definition(
            spec: "type: object\nproperties:\n  value: {type: string, pattern: '(a)\\1'}\n"
        )
        #expect(definition.notEnforced.count == 1)
        #expect(definition.notEnforced.first?.field == "spec.value")
        #expect(definition.notEnforced.first?.location?.line == 24)
        #expect(definition.notEnforced.first?.description.hasSuffix("is not enforced") == true)
    }

    @Test(arguments: [
        ("int32", "2147483647", "2147483648"), ("int64", "-9223372036854775808", "9223372036854775808"),
        ("float", "1.5", "1e39"), ("double", "1e300", ".inf"),
        ("byte", "aGk=", "aGk"), ("date", "2024-02-29", "2023-02-29"),
        ("date-time", "2024-05-01T12:30:00Z", "2024-05-01 12:30"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
        ("email", "a@example.com", "a@@example.com"), ("hostname", "api.example.com", "-bad-.example.com"),
        ("ipv4", "192.168.0.1", "192.168.0.256"), ("ipv6", "fe80::1", "fe80:::1"),
        ("uri", "https://example.com/x", "not a uri"),
        ("cidr", "10.0.0.0/8", "10.0.0.0/33"), ("mac", "00:1a:2b:3c:4d:5e", "00:1a:2b"),
    ])
    func format(format: String, valid: String, invalid: String) throws {
        let numeric = ["int32", "int64", "float", "double"].contains(format)
        let type = numeric ? (format.hasPrefix("int") ? "integer" : "number") : "string"
        let schema = "type: \(type)\nformat: \(format)\n"
        let quote = { (text: String) in numeric ? text : "'\(text)'" }
        #expect(try F.valueErrors(schema, quote(valid)) == [])
        let shown = numeric ? invalid : "\"\(invalid)\""
        let errors = try F.valueErrors(schema, quote(invalid))
        if format == "double" {
            #expect(errors == ["spec.value: Invalid value: \(shown): must be of type number"], "not a finite number")
        } else {
            #expect(errors == ["spec.value: Invalid value: \(shown): must be of format \(format)"])
        }
    }

    @Test func unknownFormatIsNotEnforced() throws {
        let definition = try F.definition(spec: "type: object\nproperties:\n  value: {type: string, format: isbn}\n")
        #expect(
            definition.notEnforced.map(\.description) == [
                "spec.value: format \"isbn\" (Giter does not know this format) is not enforced"
            ]
        )
        #expect(try F.valueErrors("type: string\nformat: isbn\n", "anything") == [])
    }

    @Test func minimumAndMaximum() throws {
        let schema = "type: integer\nminimum: 0\nmaximum: 10\n"
        #expect(try F.valueErrors(schema, "0") == [])
        #expect(try F.valueErrors(schema, "10") == [])
        #expect(
            try F.valueErrors(schema, "-1") == ["spec.value: Invalid value: -1: must be greater than or equal to 0"]
        )
        #expect(try F.valueErrors(schema, "11") == ["spec.value: Invalid value: 11: must be less than or equal to 10"])
    }

    @Test func exclusiveMinimumAndMaximum() throws {
        let schema = "type: number\nminimum: 0\nexclusiveMinimum: true\nmaximum: 1\nexclusiveMaximum: true\n"
        #expect(try F.valueErrors(schema, "0.5") == [])
        #expect(try F.valueErrors(schema, "0") == ["spec.value: Invalid value: 0: must be greater than 0"])
        #expect(try F.valueErrors(schema, "1") == ["spec.value: Invalid value: 1: must be less than 1"])
        // OpenAPI v3.1's numeric form is refused: Kubernetes uses v3.0's booleans.
        #expect(throws: SchemaError.self) {
            try F.version(spec: "type: object\nproperties:\n  v: {type: number, exclusiveMinimum: 0}\n")
        }
    }

    @Test func multipleOf() throws {
        #expect(try F.valueErrors("type: integer\nmultipleOf: 5\n", "15") == [])
        #expect(
            try F.valueErrors("type: integer\nmultipleOf: 5\n", "7") == [
                "spec.value: Invalid value: 7: must be a multiple of 5"
            ]
        )
    }

    @Test func minLengthAndMaxLengthCountCharacters() throws {
        let schema = "type: string\nminLength: 2\nmaxLength: 3\n"
        #expect(try F.valueErrors(schema, "\"été\"") == [], "three characters, five bytes")
        #expect(
            try F.valueErrors(schema, "a") == ["spec.value: Invalid value: \"a\": must be at least 2 characters long"]
        )
        #expect(try F.valueErrors(schema, "abcd") == ["spec.value: Too long: may not be longer than 3"])
    }

    @Test func minItemsAndMaxItems() throws {
        let schema = "type: array\nitems: {type: string}\nminItems: 1\nmaxItems: 3\n"
        #expect(try F.valueErrors(schema, "[a, b, c]") == [])
        #expect(try F.valueErrors(schema, "[]") == ["spec.value: Invalid value: 0: must have at least 1 items"])
        #expect(try F.valueErrors(schema, "[a, b, c, d, e]") == ["spec.value: Too many: 5: must have at most 3 items"])
    }

    @Test func minPropertiesAndMaxProperties() throws {
        let schema = "type: object\nadditionalProperties: {type: string}\nminProperties: 1\nmaxProperties: 2\n"
        #expect(try F.valueErrors(schema, "{a: x}") == [])
        #expect(try F.valueErrors(schema, "{}") == ["spec.value: Invalid value: 0: must have at least 1 properties"])
        #expect(
            try F.valueErrors(schema, "{a: x, b: y, c: z}") == [
                "spec.value: Too many: 3: must have at most 2 properties"
            ]
        )
    }

    @Test func uniqueItems() throws {
        let schema =
            "type: array\nitems: {type: object, x-kubernetes-preserve-unknown-fields: true}\nuniqueItems: true\n"
        #expect(try F.valueErrors(schema, "[{a: 1}, {a: 2}]") == [])
        #expect(
            try F.valueErrors(schema, "[{a: 1, b: 2}, {b: 2, a: 1.0}]") == [
                "spec.value[1]: Duplicate value: {\"b\":2,\"a\":1.0}"
            ]
        )
    }

    @Test func listTypeSetAndMap() throws {
        #expect(
            try F.valueErrors("type: array\nitems: {type: string}\nx-kubernetes-list-type: set\n", "[a, b, a]")
                == ["spec.value[2]: Duplicate value: \"a\""]
        )
        let map = """
            type: array
            x-kubernetes-list-type: map
            x-kubernetes-list-map-keys: [name]
            items:
              type: object
              properties:
                name: {type: string}
                port: {type: integer}

            """
        #expect(try F.valueErrors(map, "[{name: a, port: 1}, {name: b, port: 1}]") == [])
        #expect(
            try F.valueErrors(map, "[{name: a, port: 1}, {name: a, port: 2}]") == [
                "spec.value[1]: Duplicate value: {\"name\":\"a\"}"
            ]
        )
    }

    @Test func additionalProperties() throws {
        let map = "type: object\nadditionalProperties: {type: integer}\n"
        #expect(try F.valueErrors(map, "{a: 1, b: 2}") == [])
        #expect(try F.valueErrors(map, "{a: x}") == ["spec.value.a: Invalid value: \"x\": must be of type integer"])
        #expect(try F.valueErrors("type: object\nadditionalProperties: true\n", "{a: [1, {b: 2}]}") == [])
        #expect(
            try F.valueErrors("type: object\nadditionalProperties: false\n", "{a: 1}") == [
                "spec.value.a: Unknown field"
            ]
        )
    }

    @Test func nullable() throws {
        #expect(try F.valueErrors("type: string\nnullable: true\n", "null") == [])
        #expect(
            try F.valueErrors("type: string\n", "null") == ["spec.value: Invalid value: null: must be of type string"]
        )
    }

    @Test func allOf() throws {
        let schema = "type: integer\nallOf:\n- minimum: 0\n- maximum: 9\n"
        #expect(try F.valueErrors(schema, "5") == [])
        #expect(try F.valueErrors(schema, "10") == ["spec.value: Invalid value: 10: must be less than or equal to 9"])
    }

    @Test func anyOf() throws {
        let schema = "type: integer\nanyOf:\n- maximum: 0\n- minimum: 10\n"
        #expect(try F.valueErrors(schema, "12") == [])
        #expect(
            try F.valueErrors(schema, "5") == [
                "spec.value: Invalid value: 5: must validate at least one schema (anyOf)"
            ]
        )
    }

    @Test func oneOf() throws {
        let schema =
            "type: object\nproperties:\n  a: {type: string}\n  b: {type: string}\noneOf:\n- required: [a]\n- required: [b]\n"
        #expect(try F.valueErrors(schema, "{a: x}") == [])
        #expect(
            try F.valueErrors(schema, "{a: x, b: y}")
                == [
                    "spec.value: Invalid value: {\"a\":\"x\",\"b\":\"y\"}: must validate one and only one schema (oneOf): found more than one valid"
                ]
        )
        #expect(
            try F.valueErrors(schema, "{}")
                == ["spec.value: Invalid value: {}: must validate one and only one schema (oneOf): found none valid"]
        )
    }

    @Test func not() throws {
        let schema = "type: string\nnot:\n  enum: [forbidden]\n"
        #expect(try F.valueErrors(schema, "fine") == [])
        #expect(
            try F.valueErrors(schema, "forbidden") == [
                "spec.value: Invalid value: \"forbidden\": must not validate the schema (not)"
            ]
        )
    }

    @Test func preserveUnknownFields() throws {
        let schema = "type: object\nx-kubernetes-preserve-unknown-fields: true\nproperties:\n  known: {type: integer}\n"
        #expect(try F.valueErrors(schema, "{known: 1, other: {deep: [1]}}") == [])
        #expect(
            try F.valueErrors(schema, "{known: x}") == [
                "spec.value.known: Invalid value: \"x\": must be of type integer"
            ]
        )
    }

    @Test func intOrString() throws {
        let schema = "x-kubernetes-int-or-string: true\nanyOf:\n- type: integer\n- type: string\n"
        #expect(try F.valueErrors(schema, "80") == [])
        #expect(try F.valueErrors(schema, "http") == [])
        #expect(try F.valueErrors(schema, "1.5") == ["spec.value: Invalid value: 1.5: must be an integer or a string"])
    }

    @Test func errorsCarryTheValueLocation() throws {
        let version = try F.version(spec: "type: object\nproperties:\n  replicas: {type: integer, minimum: 0}\n")
        let errors = version.validate(try F.resource("spec:\n  replicas: -1\n"), sections: [.spec])
        #expect(
            errors == [
                FieldError(
                    field: "spec.replicas",
                    kind: .invalid,
                    value: "-1",
                    detail: "must be greater than or equal to 0",
                    location: errors.first?.location
                )
            ]
        )
        #expect(errors.first?.description == "spec.replicas: Invalid value: -1: must be greater than or equal to 0")
        #expect(errors.first?.location?.line == 6)
        #expect(errors.first?.location?.column == 13)
    }

    @Test func embeddedResource() throws {
        let schema = """
            type: object
            x-kubernetes-embedded-resource: true
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}

            """
        #expect(try F.valueErrors(schema, "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {}}") == [])
        #expect(try F.valueErrors(schema, "{other: 1}") == ["spec.value.other: Unknown field"])
        let definition = try F.definition(spec: "type: object\nproperties:\n  value:\n" + F.indent(schema, by: 4))
        #expect(definition.notEnforced.map(\.field) == ["spec.value"])
    }
}
