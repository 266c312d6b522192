//! Black-box API tests: one binary, one module per area, each test on its own database.

mod migrations;
mod openapi;
