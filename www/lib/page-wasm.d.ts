// Types of lib/page-wasm.js: the first view's wasm module (src/web/ without the trainer), as the
// page uses it. Written by hand: the build runs wasm-bindgen with --no-typescript, and a fresh
// clone has no pkg/ when the checks run. What Rust builds is typed as far as the page reads it
// (serde's snake_case names); the stepper's and Inside's large records are left open.
import type { AdapterReport } from '../trainer/protocol.js';

export default function init(options: {
  module_or_path: WebAssembly.Module | URL | Response;
}): Promise<{ memory: WebAssembly.Memory }>;

export function version(): string;

/** A run's fields, defaults, limits and presets (src/settings.rs), for the Trainer's form. */
export function runSettings(): import('../trainer/settings.js').RunSchema;
/** The form's values as a checked run; throws an Error naming the setting and its limits. */
export function runFromForm(
  form: import('../trainer/settings.js').RunForm,
): import('../trainer/protocol.js').RunSettings;
/** A model's short name (`rnn/last`, `lstm/pool+sigmoid-g`) read; throws an Error saying what is wrong. */
export function parseArch(name: string): import('../trainer/settings.js').ArchInfo;
/** An architecture object (absent parts: the post's) described; throws when its variants do not fit its cell. */
export function describeArch(
  arch: import('../trainer/settings.js').Architecture,
): import('../trainer/settings.js').ArchInfo;

/** What the page found: a WebGPU adapter and how it treats subnormals, or why there is none. */
export type GpuReport =
  | {
      status: 'ready';
      adapter: AdapterReport & { device_type: string; driver: string };
      float: { subnormals: 'flush' | 'keep' };
      reason?: undefined;
    }
  | { status: 'unavailable'; reason: string; adapter?: undefined };

export type BlowupConfig = { n: number; steps: number; scale: number; init: string; seed: number };

/** One Blow-up run: the norm per step, and when it first overflowed, turned NaN or vanished. */
export type Trajectory = {
  stats: { log10_norm: number }[];
  expected_log10_norm: number[];
  first_inf: number | null;
  first_nan: number | null;
  first_all_zero: number | null;
  verdict: string;
};

export class BlowupLab {
  constructor();
  initGpu(): Promise<GpuReport>;
  runCpu(config: BlowupConfig): Trajectory;
  runGpu(config: BlowupConfig): Promise<Trajectory>;
}

/** A Cell stepper setup: weights in PyTorch's layout, the start state, a sequence (src/stepper.rs). */
export type StepperSetup = {
  /** Which cell the weights are for (absent: the LSTM). */
  cell?: 'lstm' | 'gru' | 'rnn';
  weights: {
    input: number;
    hidden: number;
    weight_ih: number[];
    weight_hh: number[];
    bias_ih: number[];
    bias_hh: number[];
  };
  h0: number[];
  c0: number[];
  sequence: string;
  note: string;
  [more: string]: unknown;
};

export function stepperPresets(cell: string): { id: string; name: string }[];
export function stepperPreset(cell: string, id: string, seed: number): StepperSetup;
export function stepperResize(setup: StepperSetup, input: number, hidden: number): StepperSetup;
type Gate = 'i' | 'f' | 'g' | 'o';

/** One step of the reference cell: the gates' pre-activations and activations, the states. */
export type CellStep = {
  pre: Record<Gate, number[]>;
  act: Record<Gate, number[]>;
  c: number[];
  h: number[];
  tanh_c: number[];
};

/**
 * Every step of the setup's sequence on the reference cell (`StepperRun` in src/stepper.rs):
 * the real cell, the post's σ-g cell on the same weights, what each wrote (i·g) and the post's
 * output layer over the real cell's h.
 */
export type StepperRun = {
  encoded: { tokens: string[]; inputs: number[][] };
  steps: CellStep[];
  post_steps: CellStep[];
  written: number[][];
  post_written: number[][];
  post_output: {
    about: string;
    pre: number[][];
    y: number[][];
    h_mean: number[];
    h_max: number[];
    y_mean: number[];
    y_max: number[];
  };
};
/**
 * One step of a GRU (r, z, n, h and their parts) or a plain RNN (from_x, from_h, pre, h) for every
 * unit (`GruStep`, `RnnStep` in src/lstm/gru.rs); the other cell's keys are absent.
 */
export type CellRunStep = { h: number[] } & Record<string, number[]>;

/** A GRU or plain RNN over the sequence (`CellRun` in src/stepper/cells.rs). */
export type CellRun = {
  cell: 'gru' | 'rnn';
  encoded: { tokens: string[]; inputs: number[][] };
  steps: CellRunStep[];
  /** ‖∂(Σ h_T)/∂h_t‖ per step. */
  gradient: number[];
};
/** The LSTM's run, or a GRU's or plain RNN's when `setup.cell` says so (cast to `CellRun`). */
export function stepperRun(setup: StepperSetup): StepperRun;

export type GradientFlowConfig = {
  steps: number;
  hidden: number;
  weight_scale: number;
  forget_bias: number;
  clip: number | null;
  seed: number;
};
export type GradientFlow = {
  rnn: number[];
  lstm_h: number[];
  lstm_c: number[];
  rnn_clip_factor: number;
  lstm_clip_factor: number;
  rnn_param_norm: number;
  lstm_param_norm: number;
};
export function gradientFlow(config: GradientFlowConfig): Promise<GradientFlow>;

/** A trained model on the page's CPU reference cell ("Inside the model", src/web/model.rs). */
export class ModelSession {
  static fromFile(bytes: Uint8Array): ModelSession;
  static fromPyTorch(
    model: Uint8Array,
    vocab: Uint8Array,
    labels: Uint8Array | undefined,
    maxlen: number,
  ): ModelSession;
  info(): {
    vocab: number;
    embed: number;
    hidden: number;
    maxlen: number;
    validated: { valid_accuracy: number; epoch: number } | null;
    /** By class id; with two, the second is the positive one. */
    classes: string[];
    cell: 'lstm' | 'gru' | 'rnn';
    readout: 'pool' | 'last';
    /** The architecture's short name: `gru/last`, `lstm/pool+sigmoid-g`. */
    arch: string;
  };
  /**
   * Every gate and state of every unit at every position of `text`, and the shares of class
   * `klass`'s logit (undefined: the predicted class's; two classes: always the one logit).
   */
  inspect(text: string, klass?: number, surgery?: string): TextInspection;
  /**
   * ‖∂logit/∂x_t‖ and ‖∂logit/∂h_t‖ per position of `text` for class `klass`'s logit, all paths
   * and through the recurrence only (src/classifier/gradient.rs).
   */
  gradients(text: string, klass?: number): TextGradients;
  stepperSetup(text: string): StepperSetup;
  toFile(): Uint8Array;
  pytorchModel(): Uint8Array;
  pytorchVocab(): Uint8Array;
  /** `labels.json`: the class names by class id. */
  pytorchLabels(): Uint8Array;
  free(): void;
}

/** A cell's per-step quantity (src/classifier/trace.rs): LSTM i f g o c h, GRU r z n h, RNN h, y with relu-out. */
type Quantity = 'i' | 'f' | 'g' | 'o' | 'c' | 'r' | 'z' | 'n' | 'h' | 'y';

/** What a quantity is: its symbol, name, colour range (null: unbounded) and what to read in it. */
export type QuantityInfo = { name: Quantity; label: string; range: [number, number] | null; about: string };

/**
 * A trained model's LSTM on one review (`Inspection` in src/classifier/inspect.rs): every gate and state of
 * every unit at every position (`trace[q][position × hidden + unit]`), the pools, and the
 * logit split exactly by position and by unit.
 */
export type Inspection = {
  steps: number;
  hidden: number;
  cell: 'lstm' | 'gru' | 'rnn';
  readout: 'pool' | 'last';
  /** The cell's quantities: `trace` has exactly these. */
  quantities: QuantityInfo[];
  trace: Partial<Record<Quantity, Float64Array>>;
  /** Pooling only (empty for the last state). */
  mean: number[];
  max: number[];
  winner: number[];
  unit_contribution: number[];
  unit_order: number[];
  mean_contribution: number[];
  max_contribution: number[];
  word_contribution: number[];
  /** Last state only: `bias + w · h_t` per position, the logit if the review stopped there. */
  running_logit: number[];
  bias: number;
  logit: number;
  /** Two classes: P(positive); more: the softmax probability of `class`. */
  probability: number;
  /** The class whose logit is split (two classes: 1, the positive one). */
  class: number;
  logits: number[];
  /** By class id. */
  probabilities: number[];
  predicted: number;
};

/** The review the model read: each word (its position, or why none), each position's word, the padding. */
export type TextInspection = {
  words: { word: string; position: number | null; known: boolean }[];
  positions: { id: number; word: string | null }[];
  padding: number;
  inspection: Inspection;
};

/** One edit of gate surgery (src/classifier/surgery/mod.rs), units from 0; `unit: null` is every unit. */
export type SurgeryEdit =
  | { kind: 'clamp'; gate: 'i' | 'f' | 'o' | 'r' | 'z'; unit: number | null; open: boolean }
  | { kind: 'off'; unit: number };

/**
 * The link's form (`f@all=1,o@17=0,off@42`, `z@all=1`) read for a model of `hidden` units and, when given, architecture
 * `arch` (info().arch: a gate the model lacks is refused by name); throws naming the bad part.
 */
export function parseSurgery(text: string, hidden: number, arch?: string): { edits: SurgeryEdit[]; text: string };
/** The gates a model of `arch` has for the surgery to hold: `['f', 'i', 'o']`, `['z', 'r']`, none for a plain RNN. */
export function surgeryGates(arch: string): ('i' | 'f' | 'o' | 'r' | 'z')[];
/** Edits in the link's form; a later edit of the same gate and unit replaces an earlier one. */
export function formatSurgery(edits: SurgeryEdit[]): string;

/** The pretrained model's validation sample, ready to score a model under any surgery. */
export class SurgeryAccuracy {
  constructor(model: ModelSession, sample: Uint8Array);
  reviews(): number;
  source(): string;
  /** The unedited accuracy the CLI measured when it wrote the sample. */
  recorded(): number | undefined;
  /** Reviews `start..end` the model edited by `surgery` gets right. */
  correct(surgery: string, start: number, end: number): number;
  free(): void;
}
/** How much each position can move one logit (`TextGradients` in src/classifier/gradient.rs). */
export type TextGradients = {
  words: { word: string; position: number | null; known: boolean }[];
  positions: { id: number; word: string | null }[];
  padding: number;
  /** The cell and readout as a person reads them: "LSTM", "GRU", "plain RNN"; "mean ‖ max pooling", "last state". */
  cell: string;
  readout: string;
  gradients: {
    steps: number;
    /** The class whose logit is differentiated (two classes: 1, the positive one). */
    class: number;
    logit: number;
    inputAll: Float64Array;
    inputRecurrent: Float64Array;
    stateAll: Float64Array;
    stateRecurrent: Float64Array;
  };
};
