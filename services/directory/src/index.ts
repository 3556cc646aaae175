export { createDirectoryServer } from "./create-directory-server.js";
export type { DirectoryDependencies } from "./create-directory-server.js";
export { openDatabase } from "./database/open-database.js";
export type { DatabaseLocation } from "./database/open-database.js";
export { migrateToLatest, migrateAllDown } from "./database/migrate.js";
export { loadDirectoryConfig, ConfigError } from "./config.js";
export { userContent } from "./users/user-row.js";
export type { UserRow } from "./users/user-row.js";
