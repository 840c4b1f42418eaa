//! Reading the file's entries with serde without stopping at the first
//! problem. serde gives up on an entry at its first wrong value; the file's
//! errors list every problem at once. So each value is read as [`Checked`]:
//! the value of the type its key takes, or the type it has instead. A table is
//! read as [`Table`]: the keys its type declares, and the names of the others.
//!
//! Types say what they take through [`Shape`]: strings, booleans, arrays of
//! them ([`Items`]) and tables. Where a value is, is toml's [`Spanned`].

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{
    self, Deserialize, DeserializeOwned, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    Visitor,
};
use serde::{Serialize, Serializer};
use toml::Spanned;

/// A key of an entry: `None` when the file leaves it out.
pub type Field<T> = Option<Spanned<Checked<T>>>;

/// An array whose items are checked one by one.
pub type Items<T> = Vec<Spanned<Checked<T>>>;

/// A value of the type its key takes, or the TOML type it has instead
/// (`"integer"`, `"table"` …, as [`toml::de::DeValue::type_str`] names them).
#[derive(Debug, Clone)]
pub enum Checked<T> {
    Ok(T),
    Wrong(&'static str),
}

/// The known keys of a table (the fields of `T`) and the names of the others.
#[derive(Debug, Clone)]
pub struct Table<T> {
    pub keys: T,
    pub unknown: Vec<String>,
}

/// What a type of the file takes; everything else is [`Checked::Wrong`].
pub trait Shape: Sized {
    /// For "expected …, found …".
    const EXPECTED: &'static str;
    /// The same for an array of them.
    const ITEMS: &'static str;

    fn from_str(_: String) -> Option<Self> {
        None
    }

    fn from_bool(_: bool) -> Option<Self> {
        None
    }

    fn from_seq<'de, A: de::SeqAccess<'de>>(_: A) -> Result<Option<Self>, A::Error> {
        Ok(None)
    }

    /// A table, or a date (toml hands a date over as a table with one private key).
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Checked<Self>, A::Error> {
        let first = map.next_key::<String>().ok().flatten();
        Ok(Checked::Wrong(if first.as_deref() == Some(DATETIME) {
            "datetime"
        } else {
            "table"
        }))
    }
}

/// The key under which toml hands a date to serde.
const DATETIME: &str = "$__toml_private_datetime";

impl Shape for String {
    const EXPECTED: &'static str = "a string";
    const ITEMS: &'static str = "an array of strings";

    fn from_str(s: String) -> Option<String> {
        Some(s)
    }
}

impl Shape for bool {
    const EXPECTED: &'static str = "a boolean (true or false)";
    const ITEMS: &'static str = "an array of booleans";

    fn from_bool(b: bool) -> Option<bool> {
        Some(b)
    }
}

impl<T: Shape> Shape for Items<T> {
    const EXPECTED: &'static str = T::ITEMS;
    const ITEMS: &'static str = "an array of arrays";

    fn from_seq<'de, A: de::SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Some(items))
    }
}

/// A table of strings by key (a source's English captions by field).
impl Shape for std::collections::BTreeMap<String, String> {
    const EXPECTED: &'static str = "a table of strings (field = \"caption\")";
    const ITEMS: &'static str = "an array of tables";

    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Checked<Self>, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        let mut wrong = None;
        while let Some((key, value)) = map.next_entry::<String, Checked<String>>()? {
            match value {
                _ if key == DATETIME => wrong = Some("datetime"),
                Checked::Ok(v) => {
                    out.insert(key, v);
                }
                Checked::Wrong(_) => wrong = Some("a table with a value that is not a string"),
            }
        }
        Ok(match wrong {
            Some(w) => Checked::Wrong(w),
            None => Checked::Ok(out),
        })
    }
}

impl<T: DeserializeOwned> Shape for Table<T> {
    const EXPECTED: &'static str = "a table";
    const ITEMS: &'static str = "an array of tables";

    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Checked<Self>, A::Error> {
        let mut known = Known {
            map,
            fields: fields_of::<T>(),
            unknown: Vec::new(),
        };
        let keys = T::deserialize(MapAccessDeserializer::new(&mut known))?;
        Ok(if known.unknown.iter().any(|k| k == DATETIME) {
            Checked::Wrong("datetime")
        } else {
            Checked::Ok(Table {
                keys,
                unknown: known.unknown,
            })
        })
    }
}

/// The keys of a table that `T` declares; the others are set aside, so that
/// `T` (`deny_unknown_fields`) is read in full and each unknown key reported.
struct Known<A> {
    map: A,
    fields: &'static [&'static str],
    unknown: Vec<String>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Known<A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<String>()? {
            if self.fields.contains(&key.as_str()) {
                return seed.deserialize(key.into_deserializer()).map(Some);
            }
            // The key is the problem, whatever its value holds.
            self.map.next_value::<IgnoredAny>().ok();
            self.unknown.push(key);
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// The keys serde derives for the struct `T`, in the order of its fields:
/// the one list of a table's keys, for "allowed keys: …".
pub fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields<'a>(&'a Cell<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.set(fields);
            Err(de::Error::custom(
                "only the names of the fields were asked for",
            ))
        }

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    let fields = Cell::new(&[][..]);
    T::deserialize(Fields(&fields)).ok();
    fields.get()
}

impl<'de, T: Shape> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let visited = Cell::new(false);
        match d.deserialize_any(Check(&visited, PhantomData)) {
            // Only a number is refused before it is visited: one too large
            // for i64 and u64 (or for every number type). No key takes one.
            Err(e) if !visited.get() => Ok(Checked::Wrong(if e.to_string().contains("floating") {
                "float"
            } else {
                "integer"
            })),
            other => other,
        }
    }
}

struct Check<'a, T>(&'a Cell<bool>, PhantomData<T>);

impl<T> Check<'_, T> {
    fn found(self, value: Option<T>, found: &'static str) -> Checked<T> {
        self.0.set(true);
        value.map_or(Checked::Wrong(found), Checked::Ok)
    }
}

impl<'de, T: Shape> Visitor<'de> for Check<'_, T> {
    type Value = Checked<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Checked<T>, E> {
        Ok(self.found(T::from_bool(v), "boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked<T>, E> {
        Ok(self.found(None, "integer"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked<T>, E> {
        Ok(self.found(None, "integer"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked<T>, E> {
        Ok(self.found(None, "float"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Checked<T>, E> {
        Ok(self.found(T::from_str(v.to_string()), "string"))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Checked<T>, E> {
        Ok(self.found(T::from_str(v), "string"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Checked<T>, A::Error> {
        self.0.set(true);
        Ok(T::from_seq(seq)?.map_or(Checked::Wrong("array"), Checked::Ok))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Checked<T>, A::Error> {
        self.0.set(true);
        T::from_map(map)
    }
}

impl<T: Serialize> Serialize for Checked<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Checked::Ok(v) => v.serialize(s),
            Checked::Wrong(found) => Err(serde::ser::Error::custom(format!(
                "a value of the wrong type ({found})"
            ))),
        }
    }
}

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.keys.serialize(s)
    }
}
