/** The validated ApiConfig, as a provider. */
export const API_CONFIG = Symbol('API_CONFIG');
