// Tailwind 4 runs as a single PostCSS plugin; its theme lives in src/app/globals.css.
export default {
  plugins: { '@tailwindcss/postcss': {} },
};
