import FuzzSupport

runLibFuzzer { data, count in YAMLSpliceHarness.run(fuzzInput(data, count)) }
