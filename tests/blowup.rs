//! The Blow-up engines against the float64 oracle (`cpu::run_reference`).
//!
//! Tolerances: event steps (first Inf, first NaN, first all-zero step) may differ by one step,
//! because an engine that rounds inside the product can cross a float32 boundary one step
//! before or after the oracle; log10 norms must agree to 1e-3 (0.23 %) while finite.

use lstm_lab::blowup::cpu::{self, Subnormals};
use lstm_lab::blowup::gpu::BlowupGpu;
use lstm_lab::blowup::{BlowupConfig, Init, Problem, Trajectory};
use lstm_lab::gpu::{Gpu, block_on};

const NORM_TOL: f64 = 1e-3;

fn assert_agree(what: &str, got: &Trajectory, oracle: &Trajectory) {
    let near = |a: Option<usize>, b: Option<usize>| match (a, b) {
        (Some(a), Some(b)) => a.abs_diff(b) <= 1,
        (None, None) => true,
        // An event in the last step may fall just past the end for one of them.
        (Some(a), None) | (None, Some(a)) => a + 1 >= oracle.stats.len() - 1,
    };
    assert!(
        near(got.first_inf, oracle.first_inf),
        "{what}: first Inf {:?} vs oracle {:?}",
        got.first_inf,
        oracle.first_inf
    );
    assert!(
        near(got.first_nan, oracle.first_nan),
        "{what}: first NaN {:?} vs oracle {:?}",
        got.first_nan,
        oracle.first_nan
    );
    assert!(
        near(got.first_all_zero, oracle.first_all_zero),
        "{what}: first all-zero step {:?} vs oracle {:?}",
        got.first_all_zero,
        oracle.first_all_zero
    );
    let mut compared = 0;
    for (t, (g, o)) in got.stats.iter().zip(&oracle.stats).enumerate() {
        if let (Some(g), Some(o)) = (g.log10_norm, o.log10_norm) {
            // Deep in the subnormals a handful of surviving entries carry the norm; rounding
            // there is coarse by design, so compare only while values are normal floats.
            if o > -30.0 {
                assert!(
                    (g - o).abs() < NORM_TOL,
                    "{what}: step {t}: log10 norm {g} vs oracle {o}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 0, "{what}: no finite step to compare");
}

#[test]
fn post_overflow_preset_overflows_near_step_45_then_nans() {
    let config = BlowupConfig::post_overflow();
    let problem = Problem::generate(&config).unwrap();
    let oracle = cpu::run_reference(&problem, &config, Subnormals::Keep);
    let first_inf = oracle.first_inf.expect("the post's experiment overflows");
    assert!((40..=49).contains(&first_inf), "first Inf at {first_inf}");
    assert!(oracle.first_nan.unwrap() > first_inf);
    let last = oracle.stats.last().unwrap();
    assert_eq!(last.nan, last.total, "the post prints a matrix of nan");
    assert!(
        oracle
            .verdict
            .starts_with(&format!("Overflowed at step {first_inf}"))
    );
    assert_agree(
        "CPU f32, overflow preset",
        &cpu::run_f32(&problem, &config),
        &oracle,
    );
}

#[test]
fn post_underflow_preset_reaches_exact_zeros() {
    let config = BlowupConfig::post_underflow();
    let problem = Problem::generate(&config).unwrap();
    let oracle = cpu::run_reference(&problem, &config, Subnormals::Keep);
    let zero_at = oracle
        .first_all_zero
        .expect("the post's second experiment underflows");
    assert!((35..=49).contains(&zero_at), "all zero at {zero_at}");
    assert_eq!(oracle.first_inf, None);
    // Flushing subnormals reaches zero earlier, never later.
    let flushed = cpu::run_reference(&problem, &config, Subnormals::Flush);
    assert!(flushed.first_all_zero.unwrap() <= zero_at);
    assert_agree(
        "CPU f32, underflow preset",
        &cpu::run_f32(&problem, &config),
        &oracle,
    );
}

#[test]
fn growth_follows_scale_times_root_n() {
    // Orthogonal matrices scale the norm by exactly scale·√n each step.
    let config = BlowupConfig {
        n: 40,
        steps: 20,
        scale: 0.2,
        init: Init::Orthogonal,
        seed: 11,
    };
    let problem = Problem::generate(&config).unwrap();
    let t = cpu::run_f32(&problem, &config);
    for (s, expected) in t.stats.iter().zip(&t.expected_log10_norm) {
        assert!((s.log10_norm.unwrap() - expected).abs() < 1e-3);
    }
    // Gaussian matrices do so on average (the log-norm drifts a little below the line).
    let config = BlowupConfig {
        n: 128,
        steps: 30,
        scale: 1.0 / 128f32.sqrt(),
        init: Init::Normal,
        seed: 4,
    };
    let problem = Problem::generate(&config).unwrap();
    let t = cpu::run_f32(&problem, &config);
    let slope = (t.stats[30].log10_norm.unwrap() - t.stats[0].log10_norm.unwrap()) / 30.0;
    assert!(slope.abs() < 0.02, "slope at the critical scale {slope}");
}

#[test]
fn gpu_engine_matches_the_oracle() {
    let Some(gpu) = gpu_or_skip() else { return };
    println!("adapter: {:?}", gpu.report);
    let engine = block_on(BlowupGpu::new(gpu)).expect("pipeline builds");
    let mode = engine.float_behaviour.subnormals;
    println!("float behaviour: {:?}", engine.float_behaviour);
    assert!(engine.float_behaviour.overflow_gives_inf);
    let cases = [
        BlowupConfig::post_overflow(),
        BlowupConfig::post_underflow(),
        // Odd sizes: partial 16×16 tiles on the edges.
        BlowupConfig {
            n: 37,
            steps: 60,
            scale: 0.3,
            init: Init::Uniform,
            seed: 5,
        },
        BlowupConfig {
            n: 2,
            steps: 200,
            scale: 10.0,
            init: Init::Normal,
            seed: 6,
        },
        BlowupConfig {
            n: 100,
            steps: 15,
            scale: 0.1,
            init: Init::Orthogonal,
            seed: 7,
        },
        BlowupConfig {
            n: 17,
            steps: 9,
            scale: 0.001,
            init: Init::Identity,
            seed: 8,
        },
    ];
    for config in cases {
        let problem = Problem::generate(&config).unwrap();
        let oracle = cpu::run_reference(&problem, &config, mode);
        let got = block_on(engine.run(&problem, &config)).expect("GPU run");
        assert_eq!(got.stats.len(), config.steps + 1);
        assert_agree(&format!("GPU {config:?}"), &got, &oracle);
    }
    // A scale-only change reuses the uploaded matrices and still gives the right answer.
    let config = BlowupConfig {
        scale: 0.5,
        ..BlowupConfig::post_overflow()
    };
    let problem = Problem::generate(&config).unwrap();
    let got = block_on(engine.run(&problem, &config)).unwrap();
    assert_agree(
        "GPU after scale change",
        &got,
        &cpu::run_reference(&problem, &config, mode),
    );
}

/// The GPU tests need an adapter (CI installs mesa's lavapipe). Without one they fail, unless
/// LSTM_LAB_ALLOW_NO_GPU=1 says this machine is known to have none.
fn gpu_or_skip() -> Option<Gpu> {
    match block_on(Gpu::acquire()) {
        Ok(gpu) => Some(gpu),
        Err(e) if std::env::var("LSTM_LAB_ALLOW_NO_GPU").as_deref() == Ok("1") => {
            eprintln!("skipping GPU test: {e}");
            None
        }
        Err(e) => panic!("{e}\n(install mesa-vulkan-drivers, or set LSTM_LAB_ALLOW_NO_GPU=1)"),
    }
}
