import { z } from "zod";

/** An on/off setting, as people write one in an environment file: true/false or 1/0. */
export const flagSetting = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");
