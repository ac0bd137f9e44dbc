//! What several integration tests share.

use lstm_lab::data::Prepared;
use lstm_lab::gpu::block_on;
use lstm_lab::trainer::parallel::{Plan, Replica};
use lstm_lab::trainer::{Compute, Trainer};

/// Train `lead`'s whole run on itself and `replicas` more workers, each batch (training and
/// validation) cut into one shard per worker, as the page's CPU workers do. Returns the steps
/// planned (training and validation batches).
pub fn train_sharded(lead: &mut Trainer, data: &Prepared, replicas: usize) -> usize {
    let device = Compute::cpu();
    let start = block_on(lead.model().to_weights()).unwrap();
    let mut replicas: Vec<Replica> = (0..replicas)
        .map(|_| Replica::new(&start, lead.config.kernel, &device))
        .collect();
    let workers = replicas.len() + 1;
    let mut steps = 0;
    loop {
        match lead.plan(workers) {
            Plan::Done => return steps,
            Plan::Train { shards, batch_rows } => {
                assert_eq!(shards.len(), workers);
                let weights = block_on(lead.flat_weights()).unwrap();
                let mut parts =
                    vec![block_on(lead.shard_gradient(&shards[0], batch_rows)).unwrap()];
                for (replica, rows) in replicas.iter_mut().zip(&shards[1..]) {
                    replica.set_weights(&weights).unwrap();
                    parts.push(block_on(replica.gradient(&data.train, rows, batch_rows)).unwrap());
                }
                block_on(lead.finish_train(&parts)).unwrap();
            }
            Plan::Validate { shards } => {
                let weights = block_on(lead.flat_weights()).unwrap();
                let mut parts = vec![block_on(lead.shard_eval(&shards[0])).unwrap()];
                for (replica, rows) in replicas.iter_mut().zip(&shards[1..]) {
                    replica.set_weights(&weights).unwrap();
                    parts.push(block_on(replica.evaluate(&data.valid, rows)).unwrap());
                }
                block_on(lead.finish_validation(&parts)).unwrap();
            }
        }
        steps += 1;
    }
}
