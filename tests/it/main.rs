//! The one integration-test binary: HTTP tests and store stories run on SQLite always
//! and on PostgreSQL when `TEST_DATABASE_URL` is set (required in CI), plus end-to-end
//! tests in headless Chromium.

mod accounts;
mod agreements;
mod api;
mod authorise;
mod browser;
mod certificates;
mod cli;
mod clusters;
mod confirm;
mod consent;
mod coordination;
mod critbuilder;
mod directives;
mod emuapi;
mod emulation;
mod formbuilder;
mod forms;
mod hardening;
mod harness;
mod history;
mod imports;
mod instances;
mod models;
mod movements;
mod openapi;
mod pages;
mod phone;
mod ranking;
mod reform;
mod reports;
mod requests;
mod restructure;
mod rewards;
mod scope;
mod store;
mod todo;
mod walkthrough;
mod walkthrough15;
