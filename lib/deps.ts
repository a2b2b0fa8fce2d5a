import type { Config } from '../config/config';
import type { ObjectStore } from '../adapters/object-store/object-store';
import type { Warehouse } from '../adapters/warehouse/warehouse';
import type { Logger } from './logger';

/** What every activity factory receives: built once at worker start, never module singletons. */
export interface ActivityDeps {
  config: Config;
  warehouse: Warehouse;
  store: ObjectStore;
  logger: Logger;
}
