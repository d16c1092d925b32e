export { openDatabase, writeTransaction, DEFAULT_DB_FILE, type Db } from './open-database.ts';
export { migrations, type Migration } from './migrations.ts';
export { processAlive } from './process-alive.ts';
