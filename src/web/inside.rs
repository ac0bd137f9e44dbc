//! Exports of "Inside the model" (the first view's module): a saved model loaded on the host —
//! an `.lstmlab` file, the pretrained model, or PyTorch's `safetensors` + `vocab.json` — that
//! predicts and shows its gates on the CPU reference cell, without the trainer's module.

use super::{js_error, to_js};
use crate::classifier::file::{self as modelfile, SavedModel};
use crate::classifier::{gradient, inspect, torch as torch_io};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A loaded model.
#[wasm_bindgen]
pub struct ModelSession {
    saved: SavedModel,
    tokenizer: crate::data::tokenizer::Tokenizer,
}

/// What the page shows about a model before it is used.
#[derive(Serialize)]
struct ModelInfo<'a> {
    vocab: usize,
    embed: usize,
    hidden: usize,
    maxlen: usize,
    words: usize,
    /// The validation epoch the weights come from, when known.
    validated: Option<&'a crate::classifier::record::EpochReport>,
    train: Option<&'a crate::settings::TrainConfig>,
    /// The classes' names by class id (with two, the second is the positive one).
    classes: Vec<String>,
    /// The cell (`lstm`, `gru`, `rnn`), the readout (`pool`, `last`) and the short name of
    /// the whole architecture (`gru/last`, `lstm/pool+sigmoid-g`).
    cell: &'static str,
    readout: &'static str,
    arch: String,
}

impl ModelSession {
    fn new(saved: SavedModel) -> Self {
        let tokenizer = saved.tokenizer();
        Self { saved, tokenizer }
    }
}

#[wasm_bindgen]
impl ModelSession {
    /// An `.lstmlab` file's bytes (saved by the trainer, the CLI, or the pretrained model).
    #[wasm_bindgen(js_name = fromFile)]
    pub fn from_file(bytes: &[u8]) -> Result<ModelSession, JsError> {
        Ok(Self::new(modelfile::load(bytes).map_err(js_error)?))
    }

    /// PyTorch's `model.safetensors`, `vocab.json` (Keras `word_index`) and, optionally,
    /// `labels.json` (the class names in class id order); `maxlen` 0 takes the one the file
    /// records, else the post's 128.
    #[wasm_bindgen(js_name = fromPyTorch)]
    pub fn from_pytorch(
        model: &[u8],
        vocab: &[u8],
        labels: Option<Vec<u8>>,
        maxlen: usize,
    ) -> Result<ModelSession, JsError> {
        let maxlen = (maxlen > 0).then_some(maxlen);
        Ok(Self::new(
            torch_io::import_with_labels(model, vocab, labels.as_deref(), maxlen)
                .map_err(js_error)?,
        ))
    }

    pub fn info(&self) -> Result<JsValue, JsError> {
        let h = &self.saved.header;
        to_js(&ModelInfo {
            vocab: h.model.vocab,
            embed: h.model.embed,
            hidden: h.model.hidden,
            maxlen: h.run.data.maxlen,
            words: h.words.len(),
            validated: h.run.validated.as_ref(),
            train: h.run.train.as_ref(),
            classes: h.run.class_names(),
            cell: h.model.arch.cell.name(),
            readout: h.model.arch.readout.name(),
            arch: h.model.arch.describe(),
        })
    }

    /// Every position's gates, states and share of the logit for `text` (see `crate::classifier::inspect`);
    /// `inspection.trace[q]` is a `Float64Array` `[T × H]` for each quantity `q` of
    /// `inspection.quantities` (an LSTM's i, f, g, o, c, h; a GRU's r, z, n, h; an RNN's h). `class`: whose logit a
    /// K-class model splits (undefined: the predicted class).
    /// `surgery`: the model edited by it (`f@all=1,off@42`, see `crate::classifier::surgery`).
    pub fn inspect(
        &self,
        text: &str,
        class: Option<usize>,
        surgery: Option<String>,
    ) -> Result<JsValue, JsError> {
        let surgery = crate::classifier::surgery::Surgery::parse(surgery.as_deref().unwrap_or(""))
            .map_err(js_error)?;
        let x = inspect::inspect_text_class_with(
            &self.saved.weights,
            &self.tokenizer,
            self.saved.header.run.data.maxlen,
            text,
            class,
            &surgery,
        )
        .map_err(js_error)?;
        let out = to_js(&x)?;
        // The trace as one Float64Array per quantity under `inspection.trace` (one copy each).
        let trace = js_sys::Object::new();
        let t = &x.inspection.trace;
        for q in &x.inspection.quantities {
            let (name, values) = (
                q.name,
                t.values(q.name)
                    .ok_or_else(|| js_error(format!("the trace has no values of {}", q.name)))?,
            );
            let array = js_sys::Float64Array::from(values);
            js_sys::Reflect::set(&trace, &name.into(), &array).map_err(|_| js_error("trace"))?;
        }
        let inspection =
            js_sys::Reflect::get(&out, &"inspection".into()).map_err(|_| js_error("inspection"))?;
        js_sys::Reflect::set(&inspection, &"trace".into(), &trace)
            .map_err(|_| js_error("trace"))?;
        Ok(out)
    }

    /// How much each position's word can move `class`'s logit (see
    /// `crate::classifier::gradient`): the text's words and positions, and under `gradients`
    /// four `Float64Array`s `[T]`: `inputAll`, `inputRecurrent` (‖∂logit/∂x_t‖, all paths and
    /// through the recurrence only), `stateAll`, `stateRecurrent` (‖∂logit/∂h_t‖).
    pub fn gradients(&self, text: &str, class: Option<usize>) -> Result<JsValue, JsError> {
        let x = gradient::gradients_text(
            &self.saved.weights,
            &self.tokenizer,
            self.saved.header.run.data.maxlen,
            text,
            class,
        )
        .map_err(js_error)?;
        let out = to_js(&x)?;
        let g = &x.gradients;
        let target =
            js_sys::Reflect::get(&out, &"gradients".into()).map_err(|_| js_error("gradients"))?;
        for (name, values) in [
            ("inputAll", &g.input_all),
            ("inputRecurrent", &g.input_recurrent),
            ("stateAll", &g.state_all),
            ("stateRecurrent", &g.state_recurrent),
        ] {
            let array = js_sys::Float64Array::from(values.as_slice());
            js_sys::Reflect::set(&target, &name.into(), &array).map_err(|_| js_error(name))?;
        }
        Ok(out)
    }

    /// The model's cell in the Cell stepper on `text`, any cell (see
    /// `crate::classifier::stepper_open::open_stepper`).
    #[wasm_bindgen(js_name = stepperSetup)]
    pub fn stepper_setup(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(
            &crate::classifier::stepper_open::open_stepper(
                &self.saved.weights,
                &self.tokenizer,
                self.saved.header.run.data.maxlen,
                text,
            )
            .map_err(js_error)?,
        )
    }

    /// The model as an `.lstmlab` file.
    #[wasm_bindgen(js_name = toFile)]
    pub fn to_file(&self) -> Vec<u8> {
        self.saved.to_bytes()
    }

    /// `model.safetensors` with PyTorch's names.
    #[wasm_bindgen(js_name = pytorchModel)]
    pub fn pytorch_model(&self) -> Result<Vec<u8>, JsError> {
        Ok(torch_io::export(&self.saved).map_err(js_error)?.model)
    }

    /// `vocab.json` in Keras's `word_index` layout.
    #[wasm_bindgen(js_name = pytorchVocab)]
    pub fn pytorch_vocab(&self) -> Result<Vec<u8>, JsError> {
        Ok(torch_io::export(&self.saved).map_err(js_error)?.vocab)
    }

    /// `labels.json`: the class names in class id order.
    #[wasm_bindgen(js_name = pytorchLabels)]
    pub fn pytorch_labels(&self) -> Result<Vec<u8>, JsError> {
        Ok(torch_io::export(&self.saved).map_err(js_error)?.labels)
    }
}

/// What gate surgery (`super::surgery`) reads of a session.
impl ModelSession {
    pub(super) fn weights(&self) -> &crate::classifier::ModelWeights {
        &self.saved.weights
    }

    pub(super) fn maxlen(&self) -> usize {
        self.saved.header.run.data.maxlen
    }
}
