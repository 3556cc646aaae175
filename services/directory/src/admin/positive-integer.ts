import { InvalidArgumentError } from "commander";

/** A numeric option's parser (rates, limits): a whole number an admin can type, refused in commander's words otherwise. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1 || number > 1_000_000)
    throw new InvalidArgumentError("must be a whole number from 1 to 1000000");
  return number;
}
