//! Loyalty-program memberships of a permanent profile and their transactions (contract §3).

use crate::{Answer, Call};
use domain::db::Db;
use errors::ApiError;

pub fn memberships<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn join<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn leave<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn transactions<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn transact<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}
