// The tests here run clusters of real processes with short leases; on a 2-core machine two of them at
// once starve each other into lease expiries, so they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
