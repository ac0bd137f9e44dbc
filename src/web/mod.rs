//! The browser boundary: every wasm export lives under `web/`, and every one returns
//! `Result<_, JsError>` (or a Promise that rejects with an `Error`), so no panic is needed to
//! report a problem. Values cross as plain JS objects through serde-wasm-bindgen. The modules
//! here only convert and delegate; the work happens in the math modules.
//!
//! The crate becomes two wasm modules (see `Cargo.toml`): built without the `trainer` feature it
//! exports the first view's parts (`blowup`, `stepper`, `inside`: a saved model on the CPU
//! reference cell); built with it, the trainer alone, so
//! the page does not download and compile the first view's code twice.

#[cfg(not(feature = "trainer"))]
mod blowup;
#[cfg(feature = "trainer")]
mod datastages;
#[cfg(not(feature = "trainer"))]
mod inside;
#[cfg(feature = "trainer")]
mod parallel;
#[cfg(not(feature = "trainer"))]
mod settings;
#[cfg(not(feature = "trainer"))]
mod stepper;
#[cfg(not(feature = "trainer"))]
mod surgery;
#[cfg(feature = "trainer")]
mod trainer;

use serde::Serialize;
use std::fmt::Display;
use wasm_bindgen::prelude::*;

/// The trainer's allocator: the standard one, counting the bytes it has handed out and not
/// taken back, so a test can tell whether repeated runs leak (`TrainerSession::memoryUsage`;
/// the wasm memory's size only ever grows, so it cannot show that). One add per allocation.
#[cfg(feature = "trainer")]
mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub(super) static IN_USE: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    // SAFETY: every call is forwarded to `System` unchanged; only a counter is updated.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                IN_USE.fetch_add(layout.size(), Relaxed);
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                IN_USE.fetch_add(layout.size(), Relaxed);
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            IN_USE.fetch_sub(layout.size(), Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                IN_USE.fetch_add(new_size, Relaxed);
                IN_USE.fetch_sub(layout.size(), Relaxed);
            }
            p
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

/// Bytes the trainer's Rust code holds on its heap now.
#[cfg(feature = "trainer")]
pub(crate) fn heap_in_use() -> usize {
    heap::IN_USE.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(feature = "trainer")]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// Runs once when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    // cubecl registers its kernels through link-time constructors. Calling them once here stops
    // wasm-ld from wrapping every export in a constructor call (measured: 50× slower tensor ops).
    #[cfg(feature = "trainer")]
    unsafe {
        __wasm_call_ctors()
    };
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        report_panic(&info.to_string());
    }));
}

/// A panic is a bug: tell the page (it shows a banner) as well as the console.
fn report_panic(message: &str) {
    let global = js_sys::global();
    if let Ok(callback) = js_sys::Reflect::get(&global, &"lstmLabPanic".into())
        && let Some(callback) = callback.dyn_ref::<js_sys::Function>()
    {
        let _ = callback.call1(&JsValue::NULL, &message.into());
    }
}

pub(crate) fn js_error(e: impl Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Serialise for JS with `None` as `null` and maps as plain objects.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

pub(crate) fn from_js<T: serde::de::DeserializeOwned>(
    value: JsValue,
    what: &str,
) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// Build version, so the page can show what it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
