/** The shipped generator (the lore engine rolls with it); tests and benches use the same one. */
export { seededRandom } from '../../electron/host/lore/seeded-random';
