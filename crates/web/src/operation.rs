//! What a route-table row says about its endpoint besides the handler: method and path
//! template, operationId and summary, who may call it, what it reads, and the error codes it
//! raises itself. The OpenAPI document's operations are built from these rows
//! (`openapi-gen`), and the end-to-end tests read them (the routes a component serves), so
//! the route tables are the one list of operations.
//!
//! The codes every operation of a kind can raise are not listed on each row but follow from
//! it ([`Operation::error_codes`]): a token (401, 403, 500, 503), a JSON body (400, 413, 415),
//! an `Idempotency-Key` and an `If-Match`.

use auth::Permission;
use errors::ErrorCode;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token at all (health, this document, the local issuer).
    Public,
    /// Any valid token; no permission is checked.
    AnyToken,
    /// A token granting any of these permissions.
    AnyOf(&'static [Permission]),
}

/// The request body an operation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    /// JSON whose unknown members are 400 `UNKNOWN_FIELD` (serde `deny_unknown_fields`).
    Strict,
    /// JSON (or a form) whose unknown members are ignored.
    Lenient,
}

/// One endpoint as the route table declares it. Built with [`op`] and its `const` setters.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub method: &'static str,
    pub template: &'static str,
    /// The operationId: unique, lowerCamelCase.
    pub id: &'static str,
    pub summary: &'static str,
    pub access: Access,
    pub body: Body,
    /// Takes `Idempotency-Key`.
    pub idempotent: bool,
    /// Requires `If-Match`.
    pub if_match: bool,
    /// Reads a query string (`web::Query`, which refuses a parameter the operation does not
    /// take and a single-valued one given twice).
    pub query: bool,
    /// The codes the operation raises itself (those that follow from the row are added by
    /// [`Operation::error_codes`]).
    pub errors: &'static [ErrorCode],
}

/// An operation that any valid token may call, without a body; set the rest with the
/// setters.
pub const fn op(
    method: &'static str,
    template: &'static str,
    id: &'static str,
    summary: &'static str,
) -> Operation {
    Operation {
        method,
        template,
        id,
        summary,
        access: Access::AnyToken,
        body: Body::None,
        idempotent: false,
        if_match: false,
        query: false,
        errors: &[],
    }
}

impl Operation {
    pub const fn permission(self, permission: Permission) -> Self {
        let access = match permission {
            Permission::ProfileRead => Access::AnyOf(&[Permission::ProfileRead]),
            Permission::ProfileCreate => Access::AnyOf(&[Permission::ProfileCreate]),
            Permission::ProfileChange => Access::AnyOf(&[Permission::ProfileChange]),
            Permission::ProfileDelete => Access::AnyOf(&[Permission::ProfileDelete]),
            Permission::ConsentsRead => Access::AnyOf(&[Permission::ConsentsRead]),
            Permission::ConsentsChange => Access::AnyOf(&[Permission::ConsentsChange]),
            Permission::ConsentsAdmin => Access::AnyOf(&[Permission::ConsentsAdmin]),
        };
        Self { access, ..self }
    }

    pub const fn any_of(self, permissions: &'static [Permission]) -> Self {
        Self { access: Access::AnyOf(permissions), ..self }
    }

    pub const fn any_token(self) -> Self {
        Self { access: Access::AnyToken, ..self }
    }

    pub const fn public(self) -> Self {
        Self { access: Access::Public, ..self }
    }

    pub const fn body(self) -> Self {
        Self { body: Body::Strict, ..self }
    }

    pub const fn lenient_body(self) -> Self {
        Self { body: Body::Lenient, ..self }
    }

    pub const fn idempotent(self) -> Self {
        Self { idempotent: true, ..self }
    }

    pub const fn if_match(self) -> Self {
        Self { if_match: true, ..self }
    }

    pub const fn query(self) -> Self {
        Self { query: true, ..self }
    }

    pub const fn errors(self, errors: &'static [ErrorCode]) -> Self {
        Self { errors, ..self }
    }

    /// The permissions of which the token must grant one; empty when none is checked.
    pub fn permissions(&self) -> &'static [Permission] {
        match self.access {
            Access::AnyOf(permissions) => permissions,
            Access::Public | Access::AnyToken => &[],
        }
    }

    /// Every code the operation can answer with, grouped by status in ascending order: per
    /// status first those that follow from the row (token, body, idempotency, `If-Match`),
    /// then the operation's own in the row's order; each once.
    pub fn error_codes(&self) -> Vec<(u16, Vec<ErrorCode>)> {
        use ErrorCode as E;
        let mut implied = Vec::new();
        if self.access != Access::Public {
            implied.extend([E::MISSING_TOKEN, E::INVALID_TOKEN, E::MISSING_ORGANISATION]);
            if matches!(self.access, Access::AnyOf(_)) {
                implied.push(E::MISSING_PERMISSION);
            }
        }
        match self.body {
            Body::None => {}
            Body::Strict => implied.extend([E::INVALID_JSON, E::UNKNOWN_FIELD]),
            Body::Lenient => implied.push(E::INVALID_JSON),
        }
        if self.body != Body::None {
            implied.extend([E::PAYLOAD_TOO_LARGE, E::UNSUPPORTED_MEDIA_TYPE]);
        }
        if self.idempotent {
            implied.extend([
                E::INVALID_IDEMPOTENCY_KEY,
                E::IDEMPOTENCY_KEY_IN_USE,
                E::IDEMPOTENCY_KEY_REUSED,
            ]);
        }
        if self.if_match {
            implied.push(E::PRECONDITION_FAILED);
        }
        if self.query {
            implied.extend([E::UNKNOWN_PARAMETER, E::REPEATED_PARAMETER]);
        }
        let last = if self.access == Access::Public {
            &[][..]
        } else {
            &[E::INTERNAL_ERROR, E::ISSUER_UNAVAILABLE, E::DATABASE_UNAVAILABLE]
        };
        let mut grouped: Vec<(u16, Vec<ErrorCode>)> = Vec::new();
        for code in implied.iter().chain(self.errors).chain(last) {
            match grouped.iter_mut().find(|(status, _)| *status == code.status()) {
                Some((_, codes)) if codes.contains(code) => {}
                Some((_, codes)) => codes.push(*code),
                None => grouped.push((code.status(), vec![*code])),
            }
        }
        grouped.sort_by_key(|(status, _)| *status);
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorCode as E;

    #[test]
    fn a_row_implies_the_codes_of_its_token_body_and_headers() {
        let create = op("POST", "/x", "createX", "Create")
            .permission(Permission::ProfileCreate)
            .body()
            .idempotent()
            .errors(&[E::REQUIRED, E::DUPLICATE_EMAIL]);
        let codes = create.error_codes();
        let statuses: Vec<u16> = codes.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses, [400, 401, 403, 409, 413, 415, 422, 500, 503]);
        assert_eq!(codes[0].1, [E::INVALID_JSON, E::UNKNOWN_FIELD, E::INVALID_IDEMPOTENCY_KEY, E::REQUIRED]);
        assert_eq!(codes[3].1, [E::IDEMPOTENCY_KEY_IN_USE, E::DUPLICATE_EMAIL]);
        let public = op("GET", "/health", "getHealth", "Health").public();
        assert!(public.error_codes().is_empty());
        assert!(op("GET", "/y", "getY", "Y").any_token().permissions().is_empty());
    }
}
