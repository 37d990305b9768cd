//! Where a long-running operation's status document says how it stands:
//! the members read, in this order, at its top and (for ARM resources)
//! under `properties`. One list, read by the runtime for untyped status
//! documents and compiled into the generator (`xtask`, by path) for the
//! typed ones, so the two cannot drift.

/// The members that carry the state (`InProgress`, `Succeeded`, …).
pub const STATE_FIELDS: [&str; 3] = ["status", "state", "provisioningState"];

/// The member that names the resource the operation made.
pub const RESOURCE_LOCATION_FIELD: &str = "resourceLocation";

/// A resource's own state (ARM), read from the resource itself while it
/// is created, never its other `status`-like members (a webhook's
/// `properties.status` is `enabled`, not a state).
pub const PROVISIONING_STATE_FIELD: &str = "provisioningState";

/// The member under which ARM resources nest their `provisioningState`.
pub const PROPERTIES_FIELD: &str = "properties";
