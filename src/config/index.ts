export { loadConfig, readConfig, defaultConfigPath, type LoadConfigOptions } from './load.js';
export { parseConfigText, type ParseOptions } from './parse.js';
export { defaultConfig } from './defaults.js';
export { ConfigError, formatProblem } from './problems.js';
export * from './types.js';
export { renderConfig, maskedConfig, MASK } from './render.js';
