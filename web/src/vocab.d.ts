// The knowledge base's names for the API's ids, generated at build time
// (build.mjs) from knowledge/*.yaml.
declare module "backaid:vocab" {
  const vocab: {
    levels: Record<string, string>;
    services: Record<string, string>;
    conditions: Record<string, string>;
    sources: Record<string, string>;
    findings: Record<string, { meaning: string; red_flag: boolean }>;
    activities: { id: string; label: string }[];
    meaningfulChange: number;
    redFlagOptions: { id: string; label: string; sets: Record<string, string | number | boolean> }[];
  };
  export default vocab;
}
