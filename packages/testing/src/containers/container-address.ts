/** A host as it goes into a URL: IPv6 literals need brackets. */
export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
