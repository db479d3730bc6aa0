/*
 * Compiles the U.S. Web Design System for Playbook with @uswds/compile.
 *
 *   npx gulp compile      Sass (sass/styles.scss) -> dist/css/styles.css
 *   npx gulp copyAssets   USWDS fonts, images and JavaScript -> dist/
 *
 * scripts/build-uswds.sh runs both and copies what the pages need into
 * src/playbook/ui/static/uswds/ (committed; see docs/decisions/0004-uswds-static-build.md).
 */
const uswds = require("@uswds/compile");

uswds.settings.version = 3;
uswds.settings.compile.sassSourcemaps = false;
// Browsers Playbook supports: current evergreen ones (no Internet Explorer).
uswds.settings.compile.browserslist = ["> 0.5%", "last 2 versions", "Firefox ESR", "not dead"];

uswds.paths.dist.theme = "./sass";
uswds.paths.dist.css = "./dist/css";
uswds.paths.dist.fonts = "./dist/fonts";
uswds.paths.dist.img = "./dist/img";
uswds.paths.dist.js = "./dist/js";
uswds.paths.dist.components = "./dist/components";

exports.compile = uswds.compileSass;
exports.copyAssets = uswds.copyAssets;
exports.default = uswds.compileSass;
