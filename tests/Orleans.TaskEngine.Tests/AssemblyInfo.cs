// Test clusters are heavy on a 2-core machine: run collections one after another so timings stay meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
