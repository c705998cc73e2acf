// One silo at a time in this process: each test's /metrics must export only its own silo's meters.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
