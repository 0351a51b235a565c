// DataSource for the TypeORM CLI (`npm run migration:run`), built from the same config as the app.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseConfig } from './src/config/database.config.js';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

export default new DataSource(buildDataSourceOptions(databaseConfig()));
