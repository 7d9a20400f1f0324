//! Application and component variables, and the guest's `fermyon:spin/variables@2.0.0`.
//!
//! Spin resolves an application variable from its providers (here: the host's overrides, then
//! `SPIN_VARIABLE_<NAME>` environment variables), then the manifest default; a component only
//! sees the variables it declares in `[component.<id>.variables]`, each a template over
//! application variables. Everything is resolved once at start so that a missing required
//! variable or a bad template fails `start`, as `spin up` fails before serving.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Result};

use crate::bindings::fermyon::spin::variables;
use crate::manifest::VariableDecl;
use crate::state::HostState;

/// Checks a variable name the way Spin's `spin_expressions::Key` does: lower-case ASCII
/// letters, digits and underscores, starting with a letter, ending with a letter or digit, and
/// no `__`. Returns the reason on failure.
pub fn validate_name(name: &str) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err("must not be empty".to_string());
    };
    if let Some(bad) = name.chars().find(|c| !(*c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit())) {
        return Err(format!(
            "invalid character {bad:?}: variable names may contain only lower-case letters, \
             digits and underscores"
        ));
    }
    if !first.is_ascii_lowercase() {
        return Err("must start with a lower-case letter".to_string());
    }
    if name.ends_with('_') {
        return Err("must end with a lower-case letter or a digit".to_string());
    }
    if name.contains("__") {
        return Err("must not contain consecutive underscores".to_string());
    }
    Ok(())
}

/// Resolves every application variable: `overrides` (like `spin up --variable k=v`) first,
/// then `env("SPIN_VARIABLE_<NAME_UPPERCASE>")`, then the manifest default. A required
/// variable without a value is an error, as in Spin.
pub fn resolve_application_variables(
    decls: &BTreeMap<String, VariableDecl>,
    overrides: &HashMap<String, String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, String>> {
    for name in overrides.keys() {
        if !decls.contains_key(name) {
            eprintln!(
                "testhost: warning: variable override {name:?} is not an application variable; ignored"
            );
        }
    }
    let mut values = BTreeMap::new();
    for (name, decl) in decls {
        if let Err(reason) = validate_name(name) {
            bail!("invalid application variable name {name:?}: {reason}");
        }
        let value = overrides
            .get(name)
            .cloned()
            .or_else(|| env(&format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())))
            .or_else(|| decl.default.clone());
        match value {
            Some(value) => {
                values.insert(name.clone(), value);
            }
            None => bail!(
                "required variable {name:?} has no value (give it with --variable {name}=... \
                 or SPIN_VARIABLE_{})",
                name.to_ascii_uppercase()
            ),
        }
    }
    Ok(values)
}

/// Expands a component variable template: literal text with `{{ name }}` references to
/// application variables (whitespace inside the braces is optional). An unterminated `{{`, an
/// invalid name or an undeclared application variable is an error, as Spin reports at start.
pub fn expand_template(template: &str, app: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("template {template:?}: unterminated '{{{{'");
        };
        let name = after[..end].trim();
        if let Err(reason) = validate_name(name) {
            bail!("template {template:?}: invalid variable name {name:?}: {reason}");
        }
        match app.get(name) {
            Some(value) => out.push_str(value),
            None => bail!("template {template:?}: no application variable named {name:?}"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The variables one component may read: its declared names with expanded values.
#[derive(Debug, Clone, Default)]
pub struct ComponentVariables {
    values: BTreeMap<String, String>,
}

impl ComponentVariables {
    /// Expands the component's `[component.<id>.variables]` templates.
    pub fn resolve(
        component_id: &str,
        templates: &BTreeMap<String, String>,
        app: &BTreeMap<String, String>,
    ) -> Result<ComponentVariables> {
        let mut values = BTreeMap::new();
        for (name, template) in templates {
            if let Err(reason) = validate_name(name) {
                bail!("component {component_id:?}: invalid variable name {name:?}: {reason}");
            }
            let value = expand_template(template, app)
                .map_err(|e| anyhow::anyhow!("component {component_id:?}: variable {name:?}: {e}"))?;
            values.insert(name.clone(), value);
        }
        Ok(ComponentVariables { values })
    }

    /// What `fermyon:spin/variables#get` returns: an invalid name is `invalid-name`, a name
    /// the component did not declare is `undefined`.
    pub fn get(&self, name: &str) -> Result<String, variables::Error> {
        if validate_name(name).is_err() {
            return Err(variables::Error::InvalidName(name.to_string()));
        }
        self.values.get(name).cloned().ok_or_else(|| variables::Error::Undefined(name.to_string()))
    }
}

impl variables::Host for HostState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        Ok(self.component.variables.get(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn templates_expand_with_or_without_spaces_and_mixed_text() {
        let app = app(&[("issuer", "http://x/"), ("aud", "api")]);
        assert_eq!(expand_template("{{ issuer }}", &app).unwrap(), "http://x/");
        assert_eq!(expand_template("{{issuer}}", &app).unwrap(), "http://x/");
        assert_eq!(expand_template("a {{aud}}-{{  issuer }} b", &app).unwrap(), "a api-http://x/ b");
        assert_eq!(expand_template("literal", &app).unwrap(), "literal");
        assert_eq!(expand_template("", &app).unwrap(), "");
    }

    #[test]
    fn bad_templates_are_errors() {
        let app = app(&[("issuer", "x")]);
        assert!(expand_template("{{ missing }}", &app).is_err());
        assert!(expand_template("{{ issuer ", &app).is_err());
        assert!(expand_template("{{ Issuer }}", &app).is_err());
    }

    #[test]
    fn names_follow_spin_rules() {
        assert!(validate_name("jwt_issuer").is_ok());
        assert!(validate_name("a1").is_ok());
        for bad in ["", "1a", "_a", "a_", "a__b", "A", "a-b", "a.b"] {
            assert!(validate_name(bad).is_err(), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn precedence_is_override_then_env_then_default() {
        let decl = |default: Option<&str>| VariableDecl {
            default: default.map(str::to_string),
            required: default.is_none(),
            secret: false,
        };
        let decls: BTreeMap<String, VariableDecl> = [
            ("a".to_string(), decl(Some("da"))),
            ("b".to_string(), decl(Some("db"))),
            ("c".to_string(), decl(Some("dc"))),
            ("d".to_string(), decl(None)),
        ]
        .into_iter()
        .collect();
        let overrides: HashMap<String, String> = [("a".to_string(), "oa".to_string())].into_iter().collect();
        let env = |key: &str| match key {
            "SPIN_VARIABLE_A" => Some("ea".to_string()),
            "SPIN_VARIABLE_B" => Some("eb".to_string()),
            "SPIN_VARIABLE_D" => Some("ed".to_string()),
            _ => None,
        };
        let values = resolve_application_variables(&decls, &overrides, env).unwrap();
        assert_eq!(values["a"], "oa");
        assert_eq!(values["b"], "eb");
        assert_eq!(values["c"], "dc");
        assert_eq!(values["d"], "ed");

        let missing = resolve_application_variables(&decls, &HashMap::new(), |_| None);
        assert!(missing.is_err(), "required variable without value must fail");
    }

    #[test]
    fn component_get_distinguishes_invalid_and_undefined() {
        let app = app(&[("issuer", "x")]);
        let templates: BTreeMap<String, String> =
            [("jwt_issuer".to_string(), "{{ issuer }}".to_string())].into_iter().collect();
        let vars = ComponentVariables::resolve("c", &templates, &app).unwrap();
        assert_eq!(vars.get("jwt_issuer").unwrap(), "x");
        assert!(matches!(
            vars.get("other"),
            Err(variables::Error::Undefined(n)) if n == "other"
        ));
        assert!(matches!(
            vars.get("Bad-Name"),
            Err(variables::Error::InvalidName(n)) if n == "Bad-Name"
        ));
    }
}
