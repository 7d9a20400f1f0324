//! The consent responses. Views, so no column reaches the wire by accident.

use super::base::ConsentBase;
use super::crm::CrmRow;
use super::given::{GivenConsent, HistoryEntry};
use super::offer::{Consent, ConsentState};
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::{consent::values, profile::values as profile_values, wire_schema};
use serde::Serialize;

/// One language of a base's terms.
#[derive(Debug, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "Term",
        description = "The terms in one language (Markdown allowed).",
        extend("additionalProperties" = false)
    )
)]
pub struct TermView<'a> {
    /// Language code as stored.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::one_of(profile_values::LANGUAGES)))]
    pub language: &'a str,
    #[cfg_attr(feature = "openapi", schemars(length(max = values::MAX_TERM_CHARS)))]
    pub text: &'a str,
}

/// `ConsentBase`: one version of the terms.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ConsentBase",
        description = "A consent base: legal terms, versioned. Its `ETag` is the base's revision, bumped by every change.",
        extend("additionalProperties" = false)
    )
)]
pub struct ConsentBaseView<'a> {
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code(values::CONSENT_CODE_MAX)))]
    pub consent_code: &'a str,
    /// The version of the terms shown.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub version: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub latest_version: i64,
    #[cfg_attr(feature = "openapi", schemars(length(min = 1)))]
    pub terms: Vec<TermView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = values::INTERNAL_DESCRIPTION_MAX)))]
    pub internal_description: Option<&'a str>,
    /// The owning organisation; absent for a shared base.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "i64", range(min = 1)))]
    pub consent_owner_org_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: &'a str,
}

impl<'a> From<&'a ConsentBase> for ConsentBaseView<'a> {
    fn from(b: &'a ConsentBase) -> Self {
        Self {
            consent_code: &b.consent_code,
            version: b.version,
            latest_version: b.latest_version,
            terms: b.terms.iter().map(|t| TermView { language: &t.language, text: &t.text }).collect(),
            internal_description: b.internal_description.as_deref(),
            consent_owner_org_id: b.owner_org_id,
            created_at: &b.created_at,
            changed_at: &b.changed_at,
        }
    }
}

/// `Consent`, with its state at the time of the request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "Consent",
        description = "A consent: the organisation offering one version of a consent base for a period.",
        extend("additionalProperties" = false)
    )
)]
pub struct ConsentView<'a> {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code(values::CONSENT_CODE_MAX)))]
    pub consent_code: &'a str,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_base_version: i64,
    /// The organisation (from the token's organisation claim).
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub organisation_id: i64,
    pub is_sms_supported: bool,
    pub is_email_supported: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Timestamp")))]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Timestamp")))]
    pub valid_to: Option<String>,
    /// `DRAFT` (no or a future `validFrom`), `ACTIVE`, `INACTIVE` (`validTo` passed), at the
    /// time of the request.
    pub state: ConsentState,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: &'a str,
}

impl<'a> ConsentView<'a> {
    pub fn new(c: &'a Consent, now: Timestamp) -> Self {
        Self {
            id: c.id,
            consent_code: &c.consent_code,
            consent_base_version: c.consent_base_version,
            organisation_id: c.organisation_id,
            is_sms_supported: c.is_sms_supported,
            is_email_supported: c.is_email_supported,
            valid_from: c.valid_from.map(Timestamp::rfc3339),
            valid_to: c.valid_to.map(Timestamp::rfc3339),
            state: c.state(now),
            created_at: &c.created_at,
            changed_at: &c.changed_at,
        }
    }
}

/// `GivenConsent`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "GivenConsent",
        description = "A customer's choice for one of the organisation's consents.",
        extend("additionalProperties" = false)
    )
)]
pub struct GivenConsentView<'a> {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    /// Customer number: server-assigned, never reused.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub customer_number: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_id: i64,
    pub consent_choice: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = values::DISTRIBUTION_CHANNEL_MAX)))]
    pub distribution_channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Timestamp")))]
    pub expiration_date: Option<&'a str>,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub created_by_org_id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: &'a str,
}

impl<'a> From<&'a GivenConsent> for GivenConsentView<'a> {
    fn from(g: &'a GivenConsent) -> Self {
        Self {
            id: g.id,
            customer_number: g.customer_number,
            consent_id: g.consent_id,
            consent_choice: g.consent_choice,
            distribution_channel: g.distribution_channel.as_deref(),
            expiration_date: g.expiration_date.as_deref(),
            created_by_org_id: g.created_by_org_id,
            created_at: &g.created_at,
            changed_at: &g.changed_at,
        }
    }
}

/// `GivenConsentHistoryEntry`: who, when, which terms, which choice, which channel.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "GivenConsentHistoryEntry",
        description = "One immutable entry of the proof of consent (GDPR Art. 7(1)).",
        extend("additionalProperties" = false)
    )
)]
pub struct HistoryView<'a> {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub given_consent_id: i64,
    /// Customer number: server-assigned, never reused.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub customer_number: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code(values::CONSENT_CODE_MAX)))]
    pub consent_code: &'a str,
    /// The version of the terms.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_base_version: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::one_of(super::given::ACTIONS)))]
    pub action: &'a str,
    /// Absent for `DELETED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "bool"))]
    pub consent_choice: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = values::DISTRIBUTION_CHANNEL_MAX)))]
    pub distribution_channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Timestamp")))]
    pub expiration_date: Option<&'a str>,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub changed_by_org_id: i64,
    /// The token's client id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String"))]
    pub changed_by_client_id: Option<&'a str>,
    /// Which interface recorded it.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::one_of(super::given::Api::CODES)))]
    pub api: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub at: &'a str,
}

impl<'a> From<&'a HistoryEntry> for HistoryView<'a> {
    fn from(h: &'a HistoryEntry) -> Self {
        Self {
            id: h.id,
            given_consent_id: h.given_consent_id,
            customer_number: h.customer_number,
            consent_id: h.consent_id,
            consent_code: &h.consent_code,
            consent_base_version: h.consent_base_version,
            action: &h.action,
            consent_choice: h.consent_choice,
            distribution_channel: h.distribution_channel.as_deref(),
            expiration_date: h.expiration_date.as_deref(),
            changed_by_org_id: h.changed_by_org_id,
            changed_by_client_id: h.client_id.as_deref(),
            api: &h.api,
            at: &h.at,
        }
    }
}

/// `ConsentCrm`: one line of the CRM listing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ConsentCrm",
        description = "One line of the CRM listing.",
        extend("additionalProperties" = false)
    )
)]
pub struct CrmView<'a> {
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub given_consent_id: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code(values::CONSENT_CODE_MAX)))]
    pub consent_code: &'a str,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_base_version: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_organisation_id: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub created_by_org_id: i64,
    /// Customer number: server-assigned, never reused.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub customer_number: i64,
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = profile_values::CUSTOMER_REF_MAX)))]
    pub customer_ref: &'a str,
    pub consent_choice: bool,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: &'a str,
    /// Only with `includeEmail=true` (and when the profile has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_email(profile_values::EMAIL_MAX, profile_values::EMAIL_LOCAL_MAX)))]
    pub email: Option<&'a str>,
    /// Only with `includeTelephoneNumber=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_country_code(profile_values::COUNTRY_CODE_DIGITS)))]
    pub country_code: Option<&'a str>,
    /// Only with `includeTelephoneNumber=true`; without country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_phone(profile_values::PHONE_DIGITS)))]
    pub telephone_number: Option<&'a str>,
}

impl<'a> From<&'a CrmRow> for CrmView<'a> {
    fn from(r: &'a CrmRow) -> Self {
        Self {
            given_consent_id: r.given_consent_id,
            consent_id: r.consent_id,
            consent_code: &r.consent_code,
            consent_base_version: r.consent_base_version,
            consent_organisation_id: r.consent_organisation_id,
            created_by_org_id: r.created_by_org_id,
            customer_number: r.customer_number,
            customer_ref: &r.customer_ref,
            consent_choice: r.consent_choice,
            created_at: &r.created_at,
            changed_at: &r.changed_at,
            email: r.email.as_deref(),
            country_code: r.country_code.as_deref(),
            telephone_number: r.telephone_number.as_deref(),
        }
    }
}

/// The legacy v1 `Consent`: `{customerId, consentCode, consentChoice, createdAt, changedAt}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "LegacyConsent",
        description = "The legacy v1 consent: the customer's choice for the organisation's active consent of that code.",
        extend("additionalProperties" = false)
    )
)]
pub struct LegacyView<'a> {
    /// Customer number: server-assigned, never reused.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub customer_id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code(values::CONSENT_CODE_MAX)))]
    pub consent_code: &'a str,
    pub consent_choice: bool,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: &'a str,
}

impl<'a> LegacyView<'a> {
    pub fn new(consent_code: &'a str, g: &'a GivenConsent) -> Self {
        Self {
            customer_id: g.customer_number,
            consent_code,
            consent_choice: g.consent_choice,
            created_at: &g.created_at,
            changed_at: &g.changed_at,
        }
    }
}
