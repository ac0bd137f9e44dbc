// Types of trainer/wasm.js: the trainer's wasm module (src/web/trainer.rs, src/web/parallel.rs),
// as the training worker and the benchmark use it. Written by hand: the build runs wasm-bindgen
// with --no-typescript, and a fresh clone has no pkg/ when the checks run.
import type {
  CellRows,
  Columns,
  DataCheck,
  DeviceStatus,
  EpochReport,
  MemoryEstimate,
  ModelInfo,
  Prediction,
  Preview,
  RunSettings,
  RunSummary,
  StepReport,
} from './protocol.js';

export default function init(options: {
  module_or_path: WebAssembly.Module | URL | Response;
}): Promise<{ memory: WebAssembly.Memory }>;

/** How one step is cut into shards, one per worker (`Plan` in src/trainer/parallel.rs). */
export type Plan =
  | { kind: 'train'; shards: number[][]; batch_rows: number }
  | { kind: 'validate'; shards: number[][]; batch_rows?: undefined }
  | { kind: 'done' };

/** A shard's result: its gradients (training) and its tallies. */
export type ShardResult = { grads?: Float32Array; predicted?: Uint8Array; [k: string]: unknown };

export class TrainerSession {
  static create(preferGpu: boolean): Promise<TrainerSession>;
  deviceStatus(): DeviceStatus;
  loadCsv(bytes: Uint8Array, columns: Columns | null): Preview;
  /** The loaded data's classes under another label choice; on failure they stay as they were. */
  relabel(choice: Preview['choice']): Preview;
  /** The kind of the last data error (`DataError::kind`), e.g. `missing-column`. */
  lastDataErrorKind(): string | null;
  start(settings: RunSettings): RunSummary;
  resume(settings: RunSettings, last: Uint8Array | null, best: Uint8Array, history: EpochReport[]): RunSummary;
  step(): Promise<StepReport>;
  plan(workers: number): Plan;
  shardWork(kind: 'train' | 'validate', rows: Uint32Array, batchRows: number): Promise<ShardResult>;
  finishStep(kind: 'train' | 'validate', parts: ShardResult[]): Promise<StepReport>;
  replicaData(): unknown;
  flatWeights(): Promise<Float32Array>;
  checkpoint(): Promise<{ best: Uint8Array; last: Uint8Array | null } | null>;
  stop(): EpochReport | null;
  hasModel(): boolean;
  predict(text: string): Promise<Prediction>;
  save(): Promise<Uint8Array>;
  examples(perKind: number): Promise<unknown>;
  /** Up to `count` validation reviews, tokenised: a ValidationSample as JSON (gate surgery's accuracy). */
  validationSample(count: number): Uint8Array;
  loadModel(bytes: Uint8Array): ModelInfo;
  /** Validation texts of class `truth` predicted as `predicted` at the last validated epoch. */
  confusionCell(truth: number, predicted: number, limit: number): CellRows;
  engineProbe(engine: 'cpu' | 'gpu'): EngineProbe;
  fusedSelfTest(): Promise<unknown>;
  memoryEstimate(settings: RunSettings): MemoryEstimate;
  dataCheck(data: RunSettings['data']): DataCheck;
  memoryUsage(): { heap: number; gpu: unknown };
  free(): void;
}

/** One small training step on one engine, to time it. */
export class EngineProbe {
  step(): Promise<void>;
  free(): void;
}

/** A replica worker's share of a data-parallel CPU run. */
export class ReplicaSession {
  static create(data: unknown, weights: Float32Array): ReplicaSession;
  setWeights(weights: Float32Array): void;
  work(kind: 'train' | 'validate', rows: Uint32Array, batchRows: number): Promise<ShardResult>;
  free(): void;
}

/** The header row of a CSV (plain or gzip), for choosing columns by hand. */
export function csvHeaders(bytes: Uint8Array): string[];
