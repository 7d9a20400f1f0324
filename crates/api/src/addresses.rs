//! Postal addresses of a profile (contract §3 sub-resources; temporary profiles too, §4).

use crate::{Answer, Call};
use domain::db::Db;
use errors::ApiError;

pub fn list<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn create<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn get<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn replace<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn delete<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}
