//! The WGSL kernels' text: a file under `shaders/` with its `{{ name }}` placeholders filled in
//! (WGSL has no constants a host can set, nor includes). Without burn, so the kernels are
//! parsed and validated natively in seconds (the test below, with naga, the WGSL front end wgpu
//! itself uses) and a shader error fails `cargo test`, not a browser.
//!
//! Each op says which of its files it launches with which values (`ops/<op>/mod.rs`; all of them:
//! `ops::every_kernel`); its launcher (`ops/<op>/wgpu.rs`) hands the text to burn's wgpu runtime.

/// A file under `shaders/`: its path there and its text, built into the binary.
macro_rules! wgsl_file {
    ($path:literal) => {
        $crate::trainer::ops::shader::File {
            path: $path,
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/", $path)),
        }
    };
}
pub(crate) use wgsl_file;

/// One WGSL file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative to `shaders/`, e.g. `"head/forward.wgsl"`.
    pub path: &'static str,
    pub text: &'static str,
}

/// One kernel as launched: its file, the files put in front of it (shared declarations), and the
/// value of each placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shader {
    /// The kernel's name, also its key in the pipeline cache (with the values).
    pub name: &'static str,
    /// In order, before `file`.
    pub prefixes: Vec<File>,
    pub file: File,
    pub values: Vec<(&'static str, String)>,
}

impl Shader {
    pub fn new(name: &'static str, file: File) -> Self {
        Self {
            name,
            prefixes: Vec::new(),
            file,
            values: Vec::new(),
        }
    }

    /// Put `prefix` in front, after the prefixes already given.
    pub fn with_prefix(mut self, prefix: File) -> Self {
        self.prefixes.push(prefix);
        self
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.values.push((name, value.to_string()));
        self
    }

    /// The WGSL the GPU compiles: the prefixes, then the file, every `{{ name }}` replaced.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for prefix in &self.prefixes {
            text.push_str(prefix.text);
        }
        text.push_str(self.file.text);
        for (name, value) in &self.values {
            text = text.replace(&format!("{{{{ {name} }}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trainer::ops::every_kernel;
    use std::path::{Path, PathBuf};

    fn wgsl_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("shaders/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                wgsl_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "wgsl") {
                out.push(path);
            }
        }
    }

    /// naga's parse and validation, as wgpu does before it builds a pipeline.
    fn validate(label: &str, source: &str) {
        let module = naga::front::wgsl::parse_str(source)
            .unwrap_or_else(|e| panic!("{label}: {}", e.emit_to_string(source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{label}: {}", e.emit_to_string(source)));
    }

    /// A `{{ name }}` left in `text` (not a comment's `{{ … }}`).
    fn placeholder(text: &str) -> Option<&str> {
        text.match_indices("{{ ").find_map(|(i, _)| {
            let rest = &text[i + 3..];
            let end = rest.find(" }}")?;
            let name = &rest[..end];
            let is_name =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            is_name.then_some(name)
        })
    }

    #[test]
    fn every_kernel_parses_and_validates() {
        let kernels = every_kernel();
        for k in &kernels {
            let source = k.render();
            assert!(
                placeholder(&source).is_none(),
                "{} ({}): a placeholder has no value: {:?}",
                k.name,
                k.file.path,
                k.values
            );
            validate(
                &format!("{} ({}, {:?})", k.name, k.file.path, k.values),
                &source,
            );
        }
        // Every file under shaders/ is checked: a kernel of the trainer's, a shared prefix, or a
        // file without placeholders (the Blow-up lab's, which raw wgpu loads as they are).
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
        let mut files = Vec::new();
        wgsl_files(&root, &mut files);
        assert!(files.len() >= 12, "found only {files:?}");
        for path in files {
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap();
            let launched = kernels
                .iter()
                .any(|k| k.file.path == rel || k.prefixes.iter().any(|p| p.path == rel));
            if !launched {
                assert!(
                    placeholder(&text).is_none(),
                    "shaders/{rel} has placeholders but no kernel in every_kernel() launches it"
                );
                validate(&format!("shaders/{rel}"), &text);
            }
        }
    }

    #[test]
    fn render_fills_every_occurrence_and_keeps_the_prefix_first() {
        let file = File {
            path: "x.wgsl",
            text: "const A: u32 = {{ a }}u; const B: u32 = {{ a }}u + {{ b }}u;",
        };
        let prefix = File {
            path: "p.wgsl",
            text: "// shared\n",
        };
        let s = Shader::new("x", file)
            .with_prefix(prefix)
            .with("a", 3)
            .with("b", 40);
        assert_eq!(
            s.render(),
            "// shared\nconst A: u32 = 3u; const B: u32 = 3u + 40u;"
        );
        assert_eq!(placeholder(file.text), Some("a"));
        assert_eq!(placeholder("// fills in the {{ … }} values"), None);
    }
}
