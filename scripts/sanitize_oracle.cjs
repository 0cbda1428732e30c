// Reads a JSON array of strings on stdin and writes, as a JSON array, what
// @novu/framework 2.13.2 makes of each when it sanitises a step output:
// its closer fix-up, its sanitize-html options, its DOCTYPE rule.
// NOVU_REFERENCE_INSTALLED names a copy of the reference bridge where
// `npm ci` ran (default /tmp/novu-ref).
const path = process.env.NOVU_REFERENCE_INSTALLED || '/tmp/novu-ref';
const sanitizeHtml = require(path + '/node_modules/sanitize-html');
const IMG = ['src','alt','width','height','loading','srcset','sizes','crossorigin','usemap','ismap','class','id','style','title','dir','lang'];
const options = {
  allowedTags: sanitizeHtml.defaults.allowedTags.concat(['style','img','html','head','body','link','meta','title']),
  allowedAttributes: false,
  transformTags: {
    '*': (tagName, attribs) => { const kept = {}; for (const [k, v] of Object.entries(attribs)) if (!k.toLowerCase().startsWith('on')) kept[k] = v; return { tagName, attribs: kept }; },
    img: (tagName, attribs) => { const kept = {}; for (const [k, v] of Object.entries(attribs)) if (IMG.includes(k.toLowerCase())) kept[k] = v; return { tagName, attribs: kept }; },
  },
  allowVulnerableTags: true, parseStyleAttributes: false, parser: { lowerCaseAttributeNames: true },
};
function sdk(value) {
  if (!value) return value;
  const fixed = value.replace(/<\/([a-zA-Z][a-zA-Z0-9]*)\s*\/[^>]*>/g, '</$1>');
  const doctype = fixed.match(/^<!DOCTYPE .*?>/);
  const out = sanitizeHtml(fixed, options);
  return doctype ? doctype[0] + out : out;
}
// parse-srcset logs invalid descriptors on stdout.
console.log = () => {};
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => { process.stdout.write(JSON.stringify(JSON.parse(input).map(sdk))); });
