import FuzzSupport

runLibFuzzer { data, count in JSONReaderHarness.run(fuzzInput(data, count)) }
