//! Dict arguments as the core's wire types, without JSON text: a serde deserializer that walks
//! the Python value (`dict`, `list`, `tuple`, `str`, `int`, `float`, `bool`, `None`) and feeds
//! `guardrails_core::wire::deserialize_action` / `deserialize_context`, so validation, messages
//! and field paths are the core's.
//!
//! It reads values as CPython's JSON encoder wrote them on the former path (dict to JSON text
//! to the wire's parser), and fails where that path failed, with the same messages:
//! - not JSON (the whole argument is named): a set, bytes or any other object, a float `NaN`
//!   or infinity, a key that is not `str`, `int`, `float`, `bool` or `None`;
//! - at the value's path, as the wire's parser did: nesting deeper than the wire accepts
//!   (`recursion limit exceeded`; also what a cycle or a very deep value ends in, where the
//!   encoder raised `RecursionError`), an `int` beyond the float range (`number out of
//!   range`), a sequence longer than a struct (`trailing characters`), an enum that is neither
//!   a name nor a one-key dict (`expected value`), a string with a lone surrogate (Python's
//!   message);
//! - keys `int`, `float`, `bool` and `None` become `"1"`, `"1.5"`, `"true"`, `"null"`; tuples are
//!   lists; subclasses of `dict`, `list`, `str`, `int`, `float` are read as their base type (a
//!   `dict` subclass through its `items()`, as the encoder does); an `int` outside 64 bits is a
//!   float, as the parser read it.
//!
//! The depth is bounded before any recursion can grow: no input can overflow the stack.
//!
//! Items are visited in the dict's order, as the JSON text was, so the first error named is
//! the same; but the walk stops at the first error, where the encoder saw the whole value
//! first: of a contract error and a non-JSON value after it, the contract error is named.
//!
//! A value is read with serde alone first; only one that fails is read again through the
//! wire, which tracks field paths (a cost every call would otherwise pay) to name them.

use std::cell::{Cell, RefCell};

use guardrails_core as gc;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::Deserialize as _;
use serde_json::Error;

use crate::errors::{input_error, lowercase_first};

/// An action dict as an action, and the approximate length of its JSON text (for
/// `DETACH_BYTES`).
pub(crate) fn action(obj: &Bound<'_, PyAny>) -> PyResult<(gc::Action, usize)> {
    let walk = Walk::default();
    if let Ok(action) = gc::Action::deserialize(PyDe::root(obj, &walk)) {
        if walk.failure.borrow().is_none() {
            return Ok((action, walk.size.get()));
        }
    }
    let walk = Walk::default();
    let result = gc::wire::deserialize_action(PyDe::root(obj, &walk));
    finish(obj, "action", &walk, result).map(|a| (a, walk.size.get()))
}

/// A context dict as a context.
pub(crate) fn context(obj: &Bound<'_, PyAny>) -> PyResult<gc::Context> {
    let walk = Walk::default();
    if let Ok(context) = gc::Context::deserialize(PyDe::root(obj, &walk)) {
        if walk.failure.borrow().is_none() {
            return Ok(context);
        }
    }
    let walk = Walk::default();
    let result = gc::wire::deserialize_context(PyDe::root(obj, &walk));
    finish(obj, "context", &walk, result)
}

/// The walk's state, shared by the deserializers of one argument.
#[derive(Debug, Default)]
struct Walk {
    /// Approximate length of the value as JSON text.
    size: Cell<usize>,
    /// Why the walk stopped, when the wire's own error does not say it.
    failure: RefCell<Option<Failure>>,
}

#[derive(Debug)]
enum Failure {
    /// The value cannot be JSON: the argument is named, as the JSON encoder's errors were.
    NotJson(String),
    /// An error the wire's JSON parser reported (code `invalid-json`), with this message.
    Syntax(String),
}

impl Walk {
    fn add(&self, n: usize) {
        self.size.set(self.size.get().saturating_add(n));
    }

    fn not_json(&self, message: String) -> Error {
        *self.failure.borrow_mut() = Some(Failure::NotJson(message));
        de::Error::custom("not JSON")
    }

    fn syntax(&self, message: String) -> Error {
        let e = de::Error::custom(&message);
        *self.failure.borrow_mut() = Some(Failure::Syntax(message));
        e
    }

    fn string(&self, s: &Bound<'_, PyString>) -> Result<String, Error> {
        match s.to_cow() {
            Ok(text) => Ok(text.into_owned()),
            Err(e) => Err(self.syntax(python_message(s.py(), &e))),
        }
    }

    /// A dict key as the JSON encoder writes it.
    fn key(&self, key: &Bound<'_, PyAny>) -> Result<String, Error> {
        let text = if let Ok(s) = key.cast::<PyString>() {
            self.string(s)?
        } else if let Ok(f) = key.cast::<PyFloat>() {
            float_key(f).map_err(|m| self.not_json(m))?
        } else if let Ok(b) = key.cast::<PyBool>() {
            if b.is_true() { "true" } else { "false" }.to_owned()
        } else if key.is_none() {
            "null".to_owned()
        } else if key.is_instance_of::<PyInt>() {
            int_key(key).map_err(|e| self.not_json(python_message(key.py(), &e)))?
        } else {
            return Err(self.not_json(format!(
                "keys must be str, int, float, bool or None, not {}",
                type_name(key)
            )));
        };
        self.add(text.len().saturating_add(4));
        Ok(text)
    }
}

fn float_key(f: &Bound<'_, PyFloat>) -> Result<String, String> {
    let value = f.value();
    if !value.is_finite() {
        return Err(OUT_OF_RANGE_FLOAT.to_owned());
    }
    // `float.__repr__` (not a subclass's), as the encoder writes keys.
    PyFloat::new(f.py(), value)
        .repr()
        .and_then(|r| r.extract::<String>())
        .map_err(|e| python_message(f.py(), &e))
}

fn int_key(key: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(v) = key.extract::<i64>() {
        return Ok(v.to_string());
    }
    // `int.__repr__` (not a subclass's), as the encoder writes keys.
    key.py()
        .get_type::<PyInt>()
        .call_method1("__repr__", (key,))?
        .extract::<String>()
}

const OUT_OF_RANGE_FLOAT: &str = "out of range float values are not JSON compliant";

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

fn python_message(py: Python<'_>, e: &PyErr) -> String {
    let text = e
        .value(py)
        .str()
        .and_then(|s| s.extract::<String>())
        .unwrap_or_default();
    lowercase_first(&text)
}

/// The `InputError` of a walk that failed, or the value.
fn finish<T>(
    obj: &Bound<'_, PyAny>,
    what: &str,
    walk: &Walk,
    result: Result<T, gc::wire::WireError>,
) -> PyResult<T> {
    let py = obj.py();
    match (walk.failure.take(), result) {
        (Some(Failure::NotJson(reason)), _) => Err(input_error(
            py,
            &format!("`{what}`: not JSON: {reason}"),
            what,
            "invalid-json",
        )),
        (failure, Err(e)) => {
            let code = match failure {
                Some(Failure::Syntax(m)) if m == e.message() => "invalid-json",
                _ => e.code(),
            };
            Err(input_error(py, &e.to_string(), e.path(), code))
        }
        (_, Ok(value)) => Ok(value),
    }
}

/// A key and its value.
type Entry<'py> = (Bound<'py, PyAny>, Bound<'py, PyAny>);

/// One Python value being deserialised; `depth` counts the containers around it.
#[derive(Debug)]
struct PyDe<'a, 'py> {
    obj: Bound<'py, PyAny>,
    depth: usize,
    walk: &'a Walk,
}

impl<'a, 'py> PyDe<'a, 'py> {
    fn root(obj: &Bound<'py, PyAny>, walk: &'a Walk) -> Self {
        PyDe {
            obj: obj.clone(),
            depth: 0,
            walk,
        }
    }

    /// The depth of a container here; nesting the wire's parser would refuse is an error.
    fn enter(&self) -> Result<usize, Error> {
        let depth = self.depth.saturating_add(1);
        if depth >= gc::wire::MAX_JSON_DEPTH {
            return Err(self.walk.syntax("recursion limit exceeded".to_owned()));
        }
        self.walk.add(2);
        Ok(depth)
    }

    fn seq<'de, V, I>(&self, items: I, visitor: V) -> Result<V::Value, Error>
    where
        V: Visitor<'de>,
        I: ExactSizeIterator<Item = Bound<'py, PyAny>>,
    {
        let mut seq = Seq {
            items,
            depth: self.enter()?,
            walk: self.walk,
        };
        let value = visitor.visit_seq(&mut seq)?;
        if seq.items.len() > 0 {
            return Err(self.walk.syntax("trailing characters".to_owned()));
        }
        Ok(value)
    }

    fn map<'de, V, I>(&self, entries: I, visitor: V) -> Result<V::Value, Error>
    where
        V: Visitor<'de>,
        I: Iterator<Item = Entry<'py>>,
    {
        let mut map = Map {
            entries: entries.peekable(),
            value: None,
            depth: self.enter()?,
            walk: self.walk,
        };
        let value = visitor.visit_map(&mut map)?;
        if map.entries.peek().is_some() {
            return Err(self.walk.syntax("trailing characters".to_owned()));
        }
        Ok(value)
    }

    /// What the value is, for a type error; a value that cannot be JSON is its own error.
    fn unexpected(&self) -> Result<Unexpected<'static>, Error> {
        let obj = &self.obj;
        Ok(if obj.is_none() {
            Unexpected::Unit
        } else if let Ok(b) = obj.cast::<PyBool>() {
            Unexpected::Bool(b.is_true())
        } else if obj.is_instance_of::<PyInt>() {
            if let Ok(v) = obj.extract::<i64>() {
                match u64::try_from(v) {
                    Ok(u) => Unexpected::Unsigned(u),
                    Err(_) => Unexpected::Signed(v),
                }
            } else if let Ok(u) = obj.extract::<u64>() {
                Unexpected::Unsigned(u)
            } else {
                match obj.extract::<f64>() {
                    Ok(f) if f.is_finite() => Unexpected::Float(f),
                    _ => return Err(self.walk.syntax("number out of range".to_owned())),
                }
            }
        } else if let Ok(f) = obj.cast::<PyFloat>() {
            let value = f.value();
            if !value.is_finite() {
                return Err(self.walk.not_json(OUT_OF_RANGE_FLOAT.to_owned()));
            }
            Unexpected::Float(value)
        } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            Unexpected::Seq
        } else if obj.is_instance_of::<PyDict>() {
            Unexpected::Map
        } else {
            return Err(self.not_serializable());
        })
    }

    fn not_serializable(&self) -> Error {
        self.walk.not_json(format!(
            "object of type {} is not JSON serializable",
            type_name(&self.obj)
        ))
    }

    /// The entries of a dict: its own for a `dict`, its `items()` for a subclass.
    fn entries(&self, dict: &Bound<'py, PyDict>) -> Result<Vec<Entry<'py>>, Error> {
        let items = || -> PyResult<Vec<Entry<'py>>> {
            dict.call_method0("items")?
                .try_iter()?
                .map(|item| item?.extract::<Entry<'py>>())
                .collect()
        };
        items().map_err(|e| self.walk.not_json(python_message(dict.py(), &e)))
    }
}

impl<'de> de::Deserializer<'de> for PyDe<'_, '_> {
    type Error = Error;

    /// The value as the JSON encoder reads it (its order of checks).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let obj = &self.obj;
        if obj.is_none() {
            self.walk.add(4);
            return visitor.visit_unit();
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            self.walk.add(5);
            return visitor.visit_bool(b.is_true());
        }
        if let Ok(s) = obj.cast::<PyString>() {
            let text = self.walk.string(s)?;
            self.walk.add(text.len().saturating_add(3));
            return visitor.visit_string(text);
        }
        if obj.is_instance_of::<PyInt>() {
            self.walk.add(8);
            if let Ok(v) = obj.extract::<i64>() {
                return match u64::try_from(v) {
                    Ok(u) => visitor.visit_u64(u),
                    Err(_) => visitor.visit_i64(v),
                };
            }
            if let Ok(u) = obj.extract::<u64>() {
                return visitor.visit_u64(u);
            }
            // Beyond 64 bits the JSON parser read a float.
            return match obj.extract::<f64>() {
                Ok(f) if f.is_finite() => visitor.visit_f64(f),
                _ => Err(self.walk.syntax("number out of range".to_owned())),
            };
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            let value = f.value();
            if !value.is_finite() {
                return Err(self.walk.not_json(OUT_OF_RANGE_FLOAT.to_owned()));
            }
            self.walk.add(8);
            return visitor.visit_f64(value);
        }
        if let Ok(list) = obj.cast::<PyList>() {
            return self.seq(list.iter(), visitor);
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            return self.seq(tuple.iter(), visitor);
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            if obj.is_exact_instance_of::<PyDict>() {
                return self.map(dict.iter(), visitor);
            }
            let entries = self.entries(dict)?;
            return self.map(entries.into_iter(), visitor);
        }
        Err(self.not_serializable())
    }

    /// A string, or the JSON parser's error for any other value (no variant or field index:
    /// the JSON parser reads names only).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Ok(s) = self.obj.cast::<PyString>() {
            let text = self.walk.string(s)?;
            self.walk.add(text.len().saturating_add(3));
            return visitor.visit_string(text);
        }
        Err(de::Error::invalid_type(self.unexpected()?, &visitor))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.obj.is_none() {
            self.walk.add(4);
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// A name (unit variant), or a dict of one entry `{variant: value}`, as the JSON parser
    /// accepts; anything else is `expected value`, its error.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if let Ok(s) = self.obj.cast::<PyString>() {
            let text = self.walk.string(s)?;
            self.walk.add(text.len().saturating_add(3));
            return visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(text));
        }
        if let Ok(dict) = self.obj.cast::<PyDict>() {
            let entries = if self.obj.is_exact_instance_of::<PyDict>() {
                dict.iter().collect()
            } else {
                self.entries(dict)?
            };
            let depth = self.enter()?;
            if let [(key, value)] = entries.as_slice() {
                let variant = self.walk.key(key)?;
                return visitor.visit_enum(Variant {
                    variant,
                    de: PyDe {
                        obj: value.clone(),
                        depth,
                        walk: self.walk,
                    },
                });
            }
        }
        Err(self.walk.syntax("expected value".to_owned()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct ignored_any
    }
}

/// The items of a list or tuple, at `depth`.
struct Seq<'a, I> {
    items: I,
    depth: usize,
    walk: &'a Walk,
}

impl<'de, 'py, I: ExactSizeIterator<Item = Bound<'py, PyAny>>> SeqAccess<'de> for Seq<'_, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(item) => {
                self.walk.add(1);
                seed.deserialize(PyDe {
                    obj: item,
                    depth: self.depth,
                    walk: self.walk,
                })
                .map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a dict, at `depth`.
struct Map<'a, 'py, I: Iterator> {
    entries: std::iter::Peekable<I>,
    value: Option<Bound<'py, PyAny>>,
    depth: usize,
    walk: &'a Walk,
}

impl<'de, 'py, I> MapAccess<'de> for Map<'_, 'py, I>
where
    I: Iterator<Item = Entry<'py>>,
{
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let key = self.walk.key(&key)?;
        self.value = Some(value);
        seed.deserialize(IntoDeserializer::<Error>::into_deserializer(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(PyDe {
                obj: value,
                depth: self.depth,
                walk: self.walk,
            }),
            None => Err(de::Error::custom("value is missing")),
        }
    }
}

/// `{variant: value}` as an enum.
struct Variant<'a, 'py> {
    variant: String,
    de: PyDe<'a, 'py>,
}

impl<'de, 'a, 'py> EnumAccess<'de> for Variant<'a, 'py> {
    type Error = Error;
    type Variant = PyDe<'a, 'py>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let variant =
            seed.deserialize(IntoDeserializer::<Error>::into_deserializer(self.variant))?;
        Ok((variant, self.de))
    }
}

impl<'de> VariantAccess<'de> for PyDe<'_, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
