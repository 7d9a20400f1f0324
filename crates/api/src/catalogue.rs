//! The organisation's catalogues: preference definitions and loyalty programs (contract §3).

use crate::{Answer, Call};
use domain::db::Db;
use errors::ApiError;

pub fn preferences<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn create_preference<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn get_preference<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn replace_preference<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn delete_preference<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn programs<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn create_program<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn get_program<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn replace_program<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}
