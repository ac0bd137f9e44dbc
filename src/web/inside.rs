//! Exports of "Inside the model" (the first view's module): a saved model loaded on the host —
//! an `.lstmlab` file, the pretrained model, or PyTorch's `safetensors` + `vocab.json` — that
//! predicts and shows its gates on the CPU reference cell, without the trainer's module.

use super::{js_error, to_js};
use crate::classifier::file::{self as modelfile, SavedModel};
use crate::classifier::{inspect, torch as torch_io};
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
        })
    }

    /// Every position's gates, states and share of the logit for `text` (see `crate::classifier::inspect`);
    /// `inspection.trace.{i,f,g,o,c,h}` are `Float64Array`s `[T × H]`. `class`: whose logit a
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
        // The trace as six Float64Arrays under `inspection.trace` (one copy each).
        let trace = js_sys::Object::new();
        let t = &x.inspection.trace;
        for (name, values) in [
            ("i", &t.i),
            ("f", &t.f),
            ("g", &t.g),
            ("o", &t.o),
            ("c", &t.c),
            ("h", &t.h),
        ] {
            let array = js_sys::Float64Array::from(values.as_slice());
            js_sys::Reflect::set(&trace, &name.into(), &array).map_err(|_| js_error("trace"))?;
        }
        let inspection =
            js_sys::Reflect::get(&out, &"inspection".into()).map_err(|_| js_error("inspection"))?;
        js_sys::Reflect::set(&inspection, &"trace".into(), &trace)
            .map_err(|_| js_error("trace"))?;
        Ok(out)
    }

    /// The model's cell in the Cell stepper on `text` (see `crate::classifier::inspect::stepper_setup`).
    #[wasm_bindgen(js_name = stepperSetup)]
    pub fn stepper_setup(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(
            &inspect::stepper_setup(
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
