import FuzzSupport

runLibFuzzer { data, count in CustomResourceHarness.run(fuzzInput(data, count)) }
