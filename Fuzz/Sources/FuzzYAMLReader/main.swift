import FuzzSupport

runLibFuzzer { data, count in YAMLReaderHarness.run(fuzzInput(data, count)) }
