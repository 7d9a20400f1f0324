//! A profile's preference values (contract §3 sub-resources; temporary profiles too, §4).

use crate::{Answer, Call};
use domain::db::Db;
use errors::ApiError;

pub fn list<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn set<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn delete<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}
