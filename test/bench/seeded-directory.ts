import { createDirectoryClient, type DirectoryClient } from "@scimgw/directory-client";
import type { Scope } from "@scimgw/directory";
import type { StoreKind } from "@scimgw/test-stores";
import { Product } from "../support/product.js";
import { seedUsers } from "../support/seed-users.js";

/** A product whose tenant "default" holds seeded users, and a directory client to measure it with. */
export interface SeededDirectory {
  product: Product;
  client: DirectoryClient;
  tenantId: string;
  /** Closes the client and stops the product. */
  stop(): Promise<void>;
}

/**
 * Starts the product on `store` and writes `users` users straight into its tenant "default", a
 * second apart in creation order, as a real tenant's are (seedUsers); prints how long seeding took.
 * The client calls the directory's gRPC API with a service credential of `scope`.
 */
export async function seededDirectory(store: StoreKind, users: number, scope: Scope): Promise<SeededDirectory> {
  const product = await Product.start({ store });
  const client = createDirectoryClient({
    address: product.directoryAddresses[0]!,
    serviceCredential: await product.issueServiceCredential("bench", scope),
    defaultTimeoutMs: 60_000,
  });
  const stop = async () => {
    client.close();
    await product.stop();
  };
  try {
    const tenantId = await product.tenantIdOf("default");
    const started = performance.now();
    await seedUsers(product.databaseLocation, tenantId, users, {
      createdAt: (i) => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    });
    console.log(`seeded ${users} users in ${((performance.now() - started) / 1000).toFixed(1)} s (${store})`);
    return { product, client, tenantId, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
